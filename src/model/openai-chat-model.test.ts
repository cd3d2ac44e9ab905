import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { ModelImage } from '../protocol/chat-message.js';
import type { ChatRequest } from './chat-model.js';
import { DataUriCache } from './convert-messages.js';
import {
  ModelChoiceError,
  ModelEndpointError,
  ModelNotFoundError,
  ModelReplyFormatError,
  ModelRequestRejectedError,
  ModelTimeoutError,
  ModelUnreachableError,
} from './model-errors.js';
import { OpenAIChatModel, type OpenAIChatModelOptions } from './openai-chat-model.js';
import {
  type FakeOpenAIServer,
  type FakeOpenAIServerOptions,
  startFakeOpenAIServer,
} from './testing/fake-openai-server.js';

const servers: FakeOpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function fakeServer(options: FakeOpenAIServerOptions = {}): Promise<FakeOpenAIServer> {
  const server = await startFakeOpenAIServer(options);
  servers.push(server);
  return server;
}

/** Retries wait nowhere: the waits asked for are recorded instead. */
function modelFor(baseUrls: string[], options: Partial<OpenAIChatModelOptions> = {}) {
  const waitsMs: number[] = [];
  const model = new OpenAIChatModel({
    baseUrls,
    apiKey: '',
    sleep: async (ms) => {
      waitsMs.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  return { model, waitsMs };
}

const hello: ChatRequest = { messages: [{ role: 'user', content: 'Hello' }] };

describe('OpenAIChatModel', () => {
  it('rotates requests round-robin across servers', async () => {
    const first = await fakeServer({ reply: () => 'from first' });
    const second = await fakeServer({ reply: () => 'from second' });
    const { model } = modelFor([first.url, second.url], { model: 'fake-model' });
    const texts = [];
    for (let index = 0; index < 4; index++) texts.push((await model.complete(hello)).text);
    expect(texts).toEqual(['from first', 'from second', 'from first', 'from second']);
    expect(first.requests).toHaveLength(2);
    expect(second.requests).toHaveLength(2);
  });

  it('accepts a base URL without /v1', async () => {
    const server = await fakeServer();
    const { model } = modelFor([server.url.replace(/\/v1$/, '')], { model: 'fake-model' });
    expect(model.baseUrls).toEqual([server.url]);
    expect((await model.complete(hello)).text).toBe('<answer>ok</answer>');
  });

  it.each([429, 503])('retries on %i with backoff and then succeeds', async (status) => {
    const server = await fakeServer({ failFirst: { status, count: 2 }, reply: () => 'finally' });
    const { model, waitsMs } = modelFor([server.url], { model: 'fake-model', retryBaseDelayMs: 100 });
    const reply = await model.complete(hello);
    expect(reply.text).toBe('finally');
    expect(server.requests).toHaveLength(3);
    // Equal jitter at random() = 0.5: three quarters of 100, then of 200.
    expect(waitsMs).toEqual([75, 150]);
  });

  it('honours Retry-After when it asks for a longer wait', async () => {
    const server = await fakeServer({ failFirst: { status: 429, count: 1, retryAfterSeconds: 3 } });
    const { model, waitsMs } = modelFor([server.url], { model: 'fake-model', retryBaseDelayMs: 100 });
    await model.complete(hello);
    expect(waitsMs).toEqual([3000]);
  });

  it('gives up after maxRetries with the status and the server message', async () => {
    const server = await fakeServer({ failFirst: { status: 503, count: 99, message: 'engine is loading' } });
    const { model, waitsMs } = modelFor([server.url], { model: 'fake-model', maxRetries: 2 });
    const error = await model.complete(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelEndpointError);
    expect((error as ModelEndpointError).message).toBe(
      `Model server at ${server.url} answered 503 (3 attempts): engine is loading`,
    );
    expect((error as ModelEndpointError).code).toBe('model-endpoint');
    expect(server.requests).toHaveLength(3);
    expect(waitsMs).toHaveLength(2);
  });

  it('moves to the healthy server when one fails', async () => {
    const broken = await fakeServer({ failFirst: { status: 500, count: 99 } });
    const healthy = await fakeServer({ reply: () => 'healthy' });
    const { model } = modelFor([broken.url, healthy.url], { model: 'fake-model' });
    for (let index = 0; index < 3; index++) expect((await model.complete(hello)).text).toBe('healthy');
    // The broken server is skipped during its cool-down after its one failure.
    expect(broken.requests).toHaveLength(1);
  });

  it('names the address and how to start vLLM when nothing listens', async () => {
    const port = await freePort();
    const { model } = modelFor([`http://127.0.0.1:${port}/v1`], { model: 'm', maxRetries: 1 });
    const error = await model.complete(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelUnreachableError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^No model server at http://127\\.0\\.0\\.1:${port}/v1: is vLLM running\\? start it with \`vllm serve`,
      ),
    );
    expect((error as Error).message).toContain('2 attempts');
  });

  it('times out a hanging server and says so', async () => {
    const server = await fakeServer({ hang: true });
    const { model } = modelFor([server.url], { model: 'fake-model', timeoutMs: 100, maxRetries: 1 });
    const error = await model.complete(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect((error as ModelTimeoutError).timeoutMs).toBe(100);
    expect((error as Error).message).toBe(
      `Model server at ${server.url} did not answer POST /v1/chat/completions within 100 ms per attempt (2 attempts)`,
    );
  });

  it('stops at once when the caller aborts', async () => {
    const server = await fakeServer({ hang: true });
    const { model } = modelFor([server.url], { model: 'fake-model' });
    const controller = new AbortController();
    const pending = model.complete(hello, controller.signal);
    // Abort once the request is in flight on the server, which never answers.
    await server.waitForRequests(1);
    controller.abort(new Error('user pressed ctrl-c'));
    await expect(pending).rejects.toThrow('user pressed ctrl-c');
    expect(server.requests).toHaveLength(1);
  });

  it('stops waiting between retries when the caller aborts', async () => {
    const server = await fakeServer({ failFirst: { status: 503, count: 99 } });
    // The real sleep this time, with a backoff far longer than the test.
    const model = new OpenAIChatModel({
      baseUrls: [server.url],
      model: 'fake-model',
      apiKey: '',
      retryBaseDelayMs: 60_000,
    });
    const controller = new AbortController();
    const pending = model.complete(hello, controller.signal);
    await server.waitForRequests(1);
    controller.abort(new Error('cancelled during backoff'));
    await expect(pending).rejects.toThrow('cancelled during backoff');
  });

  it('uses the only model a server lists', async () => {
    const server = await fakeServer({ models: ['DeepEyesV2_7B'] });
    const { model } = modelFor([server.url]);
    // Concurrent first requests share one lookup.
    const [reply] = await Promise.all([model.complete(hello), model.complete(hello)]);
    expect(reply.model).toBe('DeepEyesV2_7B');
    expect(model.name).toBe('DeepEyesV2_7B');
    expect(server.requests[0]?.model).toBe('DeepEyesV2_7B');
    await model.complete(hello);
    expect(server.modelListCount()).toBe(1);
  });

  it('asks which model when a server lists several', async () => {
    const server = await fakeServer({ models: ['alpha', 'beta'] });
    const { model } = modelFor([server.url]);
    const error = await model.complete(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelChoiceError);
    expect((error as Error).message).toContain('serves several models (alpha, beta)');
    expect((error as ModelChoiceError).hint).toBe('Pass --model-name alpha');
  });

  it('lists the served models when the requested one does not exist', async () => {
    const server = await fakeServer({ models: ['alpha', 'beta'] });
    const { model } = modelFor([server.url], { model: 'gamma' });
    const error = await model.complete(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelNotFoundError);
    expect((error as Error).message).toBe(
      `Model server at ${server.url} has no model "gamma": it serves "alpha", "beta"`,
    );
  });

  it('passes the server message of a 400 through without retrying', async () => {
    const message =
      "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens.";
    const server = await fakeServer({ failFirst: { status: 400, count: 1, message } });
    const { model, waitsMs } = modelFor([server.url], { model: 'fake-model' });
    const error = await model.complete(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelRequestRejectedError);
    expect((error as Error).message).toContain(message);
    expect((error as ModelRequestRejectedError).hint).toMatch(/context window/);
    expect(waitsMs).toEqual([]);
  });

  it('reports a reply that is not JSON', async () => {
    const fakeFetch: typeof fetch = async () => new Response('<html>502 Bad Gateway</html>', { status: 200 });
    const { model } = modelFor(['http://proxy.invalid/v1'], { model: 'm', fetch: fakeFetch });
    const error = await model.complete(hello).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelReplyFormatError);
    expect((error as Error).message).toContain('a body that is not JSON: "<html>502 Bad Gateway</html>"');
  });

  it('cuts at a stop string and reports it as stopSequence', async () => {
    const server = await fakeServer({
      reply: () => '<think>zoom</think>\n<code>\nprint(1)\n</code>\nignored tail',
    });
    const { model } = modelFor([server.url], { model: 'fake-model' });
    const reply = await model.complete({ ...hello, stop: ['</code>', '</tool_call>'] });
    expect(reply).toMatchObject({
      text: '<think>zoom</think>\n<code>\nprint(1)\n',
      finishReason: 'stop',
      stopSequence: '</code>',
    });
    expect(reply.usage?.completionTokens).toBeGreaterThan(0);
    const plain = await model.complete(hello);
    expect(plain.stopSequence).toBeUndefined();
  });

  it('maps sampling options and continue_final_message into the request body', async () => {
    const server = await fakeServer();
    const { model } = modelFor([server.url], {
      model: 'fake-model',
      extraBody: { top_k: 20, repetition_penalty: 1.05 },
    });
    await model.complete({
      messages: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: '<think>' },
      ],
      stop: ['</code>'],
      maxTokens: 128,
      temperature: 0,
      topP: 0.9,
      seed: 7,
      continueFinalMessage: true,
      metadata: { itemId: 'not-sent' },
    });
    expect(server.requests[0]).toEqual({
      top_k: 20,
      repetition_penalty: 1.05,
      model: 'fake-model',
      messages: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: '<think>' },
      ],
      stop: ['</code>'],
      max_tokens: 128,
      temperature: 0,
      top_p: 0.9,
      seed: 7,
      continue_final_message: true,
      add_generation_prompt: false,
    });
  });

  it('encodes each image once across turns and keeps parts in order', async () => {
    const server = await fakeServer();
    const dataUriCache = new DataUriCache();
    const { model } = modelFor([server.url], { model: 'fake-model', dataUriCache });
    const image: ModelImage = {
      id: 'input-1',
      mimeType: 'image/png',
      bytes: new Uint8Array([1, 2, 3]),
      width: 1,
      height: 1,
    };
    const messages: ChatRequest['messages'] = [
      {
        role: 'user',
        content: [
          { type: 'image', image },
          { type: 'text', text: 'What is this?' },
        ],
      },
    ];
    await model.complete({ messages });
    messages.push(
      { role: 'assistant', content: '<code>…</code>' },
      { role: 'user', content: 'Code execution result: …' },
    );
    await model.complete({ messages });
    const sent = server.requests[1]?.messages[0]?.content;
    expect(sent).toEqual([
      { type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } },
      { type: 'text', text: 'What is this?' },
    ]);
    expect(dataUriCache.encodedCount).toBe(1);
  });

  it('sends the API key as a bearer token', async () => {
    let authorization: string | null = null;
    const fakeFetch: typeof fetch = async (_url, init) => {
      authorization = new Headers(init?.headers).get('authorization');
      return Response.json({ model: 'm', choices: [{ message: { content: 'hi' }, finish_reason: 'stop' }] });
    };
    const { model } = modelFor(['http://server.invalid/v1'], {
      model: 'm',
      apiKey: 'sk-test',
      fetch: fakeFetch,
    });
    expect((await model.complete(hello)).text).toBe('hi');
    expect(authorization).toBe('Bearer sk-test');
  });

  it('rejects a malformed base URL as a user error', () => {
    expect(() => new OpenAIChatModel({ baseUrls: ['localhost:8000'] })).toThrow(
      /Invalid model server options/,
    );
  });
});

/** A port that nothing listens on: bind, read it, close. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
