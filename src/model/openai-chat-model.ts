import { z } from 'zod';
import { UserError } from '../errors.js';
import type { ChatModel, ChatReply, ChatRequest } from './chat-model.js';
import { DataUriCache } from './convert-messages.js';
import { EndpointPool } from './endpoint-pool.js';
import {
  formatDuration,
  ModelChoiceError,
  ModelNotFoundError,
  ModelReplyFormatError,
} from './model-errors.js';
import { type HttpFetch, nodeHttpFetch } from './node-http-fetch.js';
import {
  buildChatCompletionBody,
  normalizeBaseUrl,
  readChatCompletionReply,
  readModelList,
} from './openai-wire.js';
import { type HttpClock, requestJson } from './request-json.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

const optionsSchema = z.object({
  /** Base URLs of OpenAI-compatible servers (`http://host:8000` or `…/v1`); requests rotate across them. */
  baseUrls: z.array(z.url({ protocol: /^https?$/ })).min(1),
  /** Model name to request; when absent, the only model `GET /v1/models` lists. */
  model: z.string().min(1).optional(),
  /** Bearer token; default `$OPENAI_API_KEY`; an empty string sends none. */
  apiKey: z.string().optional(),
  /** Per attempt, including reading the reply. Default 600 000 ms (long agent turns on a busy server). */
  timeoutMs: z.number().int().positive().default(600_000),
  /**
   * Per attempt of `GET /v1/models` (finding the model name, explaining a 404). Default 30 000 ms: the list
   * is instant on a live server, and a stuck one must not hold the start-up for the chat timeout × retries.
   */
  discoveryTimeoutMs: z.number().int().positive().default(30_000),
  /** Retries of `GET /v1/models` (a server still loading refuses connections for a while). Default 2. */
  discoveryMaxRetries: z.number().int().min(0).default(2),
  /** Retries after the first attempt on 429/5xx/timeouts/connection errors. Default 4. */
  maxRetries: z.number().int().min(0).default(DEFAULT_RETRY_POLICY.maxRetries),
  /** Backoff before the first retry, doubled each time, with jitter. Default 500 ms. */
  retryBaseDelayMs: z.number().min(0).default(DEFAULT_RETRY_POLICY.baseDelayMs),
  /** Cap on one wait, `Retry-After` included. Default 30 000 ms. */
  retryMaxDelayMs: z.number().min(0).default(DEFAULT_RETRY_POLICY.maxDelayMs),
  /** How long an endpoint that failed is skipped by the round-robin. Default 5 000 ms. */
  endpointCoolDownMs: z.number().min(0).default(5_000),
  /** Extra fields for every request body, e.g. `{ top_k: 20, repetition_penalty: 1.05 }`. */
  extraBody: z.record(z.string(), z.unknown()).optional(),
});

export type OpenAIChatModelOptions = z.input<typeof optionsSchema> & {
  /** Injected for tests (any `fetch`); default node:http (node-http-fetch.ts says why). */
  fetch?: HttpFetch | typeof fetch;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
  /** Waits between retries; default a timer that rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Jitter source in [0, 1); default `Math.random`. */
  random?: () => number;
  /** Where image data URIs are cached; default one per model. Pass one to count encodes. */
  dataUriCache?: DataUriCache;
  /** Told once when model discovery has waited `waitNoticeMs` (default 2 000) without an answer. */
  onWait?: (message: string) => void;
  waitNoticeMs?: number;
};

/**
 * A `ChatModel` over any OpenAI-compatible chat-completions server: vLLM, SGLang, Ollama, llama.cpp's
 * server or OpenAI itself. Rotates across several servers, retries transient failures with backoff,
 * and turns every failure into a `DeepeyesError` that says what to do.
 *
 * @example
 * const model = new OpenAIChatModel({ baseUrls: ['http://localhost:8000/v1'] });
 * const reply = await model.complete({ messages: [{ role: 'user', content: 'Hi' }], maxTokens: 64 });
 */
export class OpenAIChatModel implements ChatModel {
  private readonly pool: EndpointPool;
  private readonly cache: DataUriCache;
  private readonly extraBody: Record<string, unknown>;
  private readonly http: HttpClock & {
    fetch: HttpFetch;
    apiKey: string | undefined;
    timeoutMs: number;
    timeoutHint: string;
    policy: RetryPolicy;
  };
  private readonly discovery: OpenAIChatModel['http'];
  private readonly onWait: ((message: string) => void) | undefined;
  private readonly waitNoticeMs: number;
  private modelName: string | undefined;
  private modelLookup: Promise<string> | undefined;

  constructor(options: OpenAIChatModelOptions) {
    const parsed = optionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new UserError('model-options', `Invalid model server options: ${z.prettifyError(parsed.error)}`, {
        hint: 'Pass --model as a base URL such as http://localhost:8000/v1 (comma-separated for several).',
      });
    }
    const settings = parsed.data;
    this.pool = new EndpointPool(settings.baseUrls.map(normalizeBaseUrl), {
      coolDownMs: settings.endpointCoolDownMs,
      now: options.now,
    });
    this.modelName = settings.model;
    this.cache = options.dataUriCache ?? new DataUriCache();
    this.extraBody = settings.extraBody ?? {};
    const apiKey = settings.apiKey ?? process.env.OPENAI_API_KEY;
    this.http = {
      fetch: (options.fetch as HttpFetch | undefined) ?? nodeHttpFetch,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? abortableSleep,
      random: options.random ?? Math.random,
      apiKey: apiKey === '' ? undefined : apiKey,
      timeoutMs: settings.timeoutMs,
      timeoutHint: 'The server may be overloaded or stuck: lower the concurrency, or raise --model-timeout.',
      policy: {
        maxRetries: settings.maxRetries,
        baseDelayMs: settings.retryBaseDelayMs,
        maxDelayMs: settings.retryMaxDelayMs,
      },
    };
    this.discovery = {
      ...this.http,
      timeoutMs: settings.discoveryTimeoutMs,
      timeoutHint:
        'Is the server still loading, or stuck? Check it (curl <url>/models), or raise --model-discovery-timeout.',
      policy: { ...this.http.policy, maxRetries: settings.discoveryMaxRetries },
    };
    this.onWait = options.onWait;
    this.waitNoticeMs = options.waitNoticeMs ?? 2_000;
  }

  /** The model name once known (given or detected), else which server it will ask. */
  get name(): string {
    return this.modelName ?? `openai-compatible:${this.pool.endpoints[0]}`;
  }

  /** The API base URLs in rotation order, normalised to end in `/v1`. */
  get baseUrls(): readonly string[] {
    return this.pool.endpoints;
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply> {
    const startedMs = this.http.now();
    const model = await this.resolveModel(signal);
    const body = buildChatCompletionBody(request, model, this.cache, this.extraBody);
    const { json, url } = await requestJson(this.pool, this.http, {
      method: 'POST',
      path: '/chat/completions',
      body,
      signal,
      onNotFound: (endpoint) => this.modelNotFound(endpoint, model),
    });
    const read = readChatCompletionReply(json, model);
    if ('problem' in read) throw replyFormatError(url, read.problem, json);
    return { ...read.reply, latencyMs: this.http.now() - startedMs };
  }

  /**
   * The model name to request: the configured one, or the only model the server lists (asked once).
   * Throws `ModelChoiceError` listing the names when the server serves several or none.
   */
  async resolveModel(signal?: AbortSignal): Promise<string> {
    if (this.modelName !== undefined) return this.modelName;
    // Shared by concurrent first requests, so it does not follow any one caller's signal; a failed
    // lookup is forgotten so the next call asks again.
    this.modelLookup ??= this.detectModel().finally(() => {
      this.modelLookup = undefined;
    });
    return signal === undefined ? this.modelLookup : untilAborted(this.modelLookup, signal);
  }

  /** Model names served by the next endpoint in rotation (`GET /v1/models`). */
  async listModels(signal?: AbortSignal): Promise<{ url: string; models: string[] }> {
    const { json, url } = await requestJson(this.pool, this.discovery, {
      method: 'GET',
      path: '/models',
      signal,
    });
    const models = readModelList(json);
    if (models === undefined) throw replyFormatError(url, 'a reply that is not a model list', json);
    return { url, models };
  }

  private async detectModel(): Promise<string> {
    const { timeoutMs, policy } = this.discovery;
    const notice =
      this.onWait &&
      setTimeout(() => {
        this.onWait?.(
          `waiting for the model server at ${this.pool.endpoints.join(', ')} to list its models ` +
            `(GET /models; up to ${formatDuration(timeoutMs)} per attempt, ${policy.maxRetries + 1} attempts)…`,
        );
      }, this.waitNoticeMs);
    const { url, models } = await this.listModels().finally(() => clearTimeout(notice));
    if (models.length !== 1) throw new ModelChoiceError({ url, availableModels: models });
    this.modelName = models[0]!;
    return this.modelName;
  }

  /** A 404 on chat completions: if the server lists its models, say which ones it has. */
  private async modelNotFound(endpoint: string, model: string): Promise<Error | undefined> {
    try {
      const { json } = await requestJson(
        new EndpointPool([endpoint]),
        { ...this.discovery, policy: { ...this.http.policy, maxRetries: 0 } },
        {
          method: 'GET',
          path: '/models',
        },
      );
      const models = readModelList(json);
      if (models === undefined || models.includes(model)) return undefined;
      return new ModelNotFoundError({ url: endpoint, model, availableModels: models });
    } catch {
      return undefined;
    }
  }
}

function replyFormatError(url: string, problem: string, json: unknown): Error {
  return new ModelReplyFormatError({ url, problem, bodyStart: JSON.stringify(json).slice(0, 200) });
}

/** `promise`, or a rejection with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
