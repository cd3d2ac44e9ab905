import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { applyStopSequences } from '../apply-stop-sequences.js';

/**
 * A real HTTP server on 127.0.0.1 (a free port) that speaks enough of the OpenAI chat-completions API
 * for tests anywhere in the project: `GET /v1/models` and `POST /v1/chat/completions`, with vLLM's
 * stop-string behaviour and its `stop_reason` field. Not streaming.
 *
 * @example
 * const server = await startFakeOpenAIServer({ reply: () => '<think>…</think><answer>42</answer>' });
 * const model = new OpenAIChatModel({ baseUrls: [server.url] });
 * …
 * await server.close();
 */

/** A chat-completions request body as received (fields we do not model are kept). */
export type FakeChatRequest = z.infer<typeof chatRequestSchema>;

export type FakeReply =
  | string
  | { text: string; finishReason?: 'stop' | 'length'; stopReason?: string | null };

export type FakeOpenAIServerOptions = {
  /** Model names listed by `/v1/models` and accepted in requests. Default `['fake-model']`. */
  models?: string[];
  /**
   * The model's whole generation for a request, before stop strings are applied. `request.messages`
   * holds the request as sent, images as `image_url` data URIs. Default `'<answer>ok</answer>'`.
   * Throwing answers HTTP 500 with the error's message.
   */
  reply?: (request: FakeChatRequest, index: number) => FakeReply | Promise<FakeReply>;
  /** Delay before every chat reply, in ms. */
  latencyMs?: number;
  /** The first `count` chat requests answer `status` (e.g. 429, 503, 400) with an error body. */
  failFirst?: { status: number; count: number; message?: string; retryAfterSeconds?: number };
  /** Never answer chat requests (until the client gives up or the server closes). */
  hang?: boolean;
};

export type FakeOpenAIServer = {
  /** OpenAI-style base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  /** Every chat-completions body received, in arrival order (failed and hanging ones included). */
  requests: FakeChatRequest[];
  /** How many times `/v1/models` was asked. */
  modelListCount: () => number;
  /**
   * Resolves once `count` chat requests (default 1) have arrived, counting those already in
   * `requests`: the signal a test waits on instead of sleeping. Rejects after `limitMs`
   * (default 10 s) naming how many came.
   */
  waitForRequests(count?: number, limitMs?: number): Promise<void>;
  close(): Promise<void>;
};

const chatRequestSchema = z.looseObject({
  model: z.string().optional(),
  messages: z.array(
    z.object({
      role: z.enum(['system', 'user', 'assistant']),
      content: z.union([
        z.string(),
        z.array(
          z.union([
            z.object({ type: z.literal('text'), text: z.string() }),
            z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) }),
          ]),
        ),
      ]),
    }),
  ),
  stop: z.union([z.string(), z.array(z.string())]).optional(),
  max_tokens: z.number().optional(),
  stream: z.boolean().optional(),
});

/** Starts the fake server; always `close()` it (a `finally` or `afterEach`). */
export async function startFakeOpenAIServer(
  options: FakeOpenAIServerOptions = {},
): Promise<FakeOpenAIServer> {
  const models = options.models ?? ['fake-model'];
  const requests: FakeChatRequest[] = [];
  let modelLists = 0;
  let failuresLeft = options.failFirst?.count ?? 0;
  const arrivalWaiters = new Set<{ count: number; arrived: () => void }>();

  function waitForRequests(count = 1, limitMs = 10_000): Promise<void> {
    if (requests.length >= count) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        count,
        arrived: () => {
          clearTimeout(timer);
          arrivalWaiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        arrivalWaiters.delete(waiter);
        reject(
          new Error(
            `the fake OpenAI server got ${requests.length} of ${count} chat requests in ${limitMs} ms`,
          ),
        );
      }, limitMs);
      arrivalWaiters.add(waiter);
    });
  }

  async function chat(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(await readBody(incoming));
    } catch {
      return sendError(response, 400, 'the body is not JSON');
    }
    const parsed = chatRequestSchema.safeParse(json);
    if (!parsed.success) return sendError(response, 400, `invalid request: ${z.prettifyError(parsed.error)}`);
    const request = parsed.data;
    const index = requests.push(request) - 1;
    for (const waiter of arrivalWaiters) if (requests.length >= waiter.count) waiter.arrived();
    if (options.hang) return; // the socket stays open until the client aborts or close() runs
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    if (failuresLeft > 0 && options.failFirst) {
      failuresLeft -= 1;
      const { status, message, retryAfterSeconds } = options.failFirst;
      if (retryAfterSeconds !== undefined) response.setHeader('retry-after', String(retryAfterSeconds));
      return sendError(response, status, message ?? `fake failure ${status}`);
    }
    if (request.stream) return sendError(response, 400, 'the fake server does not stream');
    const model = request.model ?? models[0]!;
    if (!models.includes(model)) return sendError(response, 404, `The model \`${model}\` does not exist.`);
    const generated = await (options.reply ?? (() => '<answer>ok</answer>'))(request, index);
    const full = typeof generated === 'string' ? { text: generated } : generated;
    const stops = typeof request.stop === 'string' ? [request.stop] : request.stop;
    const cut = applyStopSequences(full.text, stops);
    const stopped = cut.stopSequence !== undefined;
    sendJson(response, 200, {
      id: `chatcmpl-fake-${index}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: cut.text },
          finish_reason: stopped ? 'stop' : (full.finishReason ?? 'stop'),
          stop_reason: stopped ? cut.stopSequence : (full.stopReason ?? null),
        },
      ],
      // Roughly four characters a token: enough for token budgets in tests, not a tokenizer.
      usage: {
        prompt_tokens: Math.ceil(JSON.stringify(request.messages).length / 4),
        completion_tokens: Math.ceil(cut.text.length / 4),
        total_tokens: 0,
      },
    });
  }

  const server = createServer((incoming, response) => {
    const path = (incoming.url ?? '').split('?')[0];
    let handled: Promise<void>;
    if (incoming.method === 'GET' && path === '/v1/models') {
      modelLists += 1;
      sendJson(response, 200, {
        object: 'list',
        data: models.map((id) => ({ id, object: 'model', owned_by: 'fake' })),
      });
      return;
    }
    if (incoming.method === 'POST' && path === '/v1/chat/completions') handled = chat(incoming, response);
    else handled = Promise.resolve(sendError(response, 404, `no route ${incoming.method} ${path}`));
    handled.catch((error: unknown) => {
      if (!response.headersSent)
        sendError(response, 500, error instanceof Error ? error.message : String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    modelListCount: () => modelLists,
    waitForRequests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(incoming: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    incoming.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

/** Errors shaped like vLLM's (`{"object":"error","message":…}`). */
function sendError(response: ServerResponse, status: number, message: string): void {
  sendJson(response, status, { object: 'error', message, type: 'error', param: null, code: status });
}
