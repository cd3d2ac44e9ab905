import type { EndpointPool } from './endpoint-pool.js';
import {
  ModelCallDeadlineError,
  ModelEndpointError,
  ModelReplyFormatError,
  ModelRequestRejectedError,
  ModelTimeoutError,
  ModelUnreachableError,
} from './model-errors.js';
import type { HttpFetch } from './node-http-fetch.js';
import { serverErrorMessage } from './openai-wire.js';
import {
  type AttemptFailure,
  isRetryable,
  parseRetryAfterMs,
  type RetryPolicy,
  retryDelayMs,
} from './retry.js';

/** Time, waiting and jitter, injectable so retry tests run instantly and deterministically. */
export type HttpClock = {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
};

export type HttpSettings = HttpClock & {
  fetch: HttpFetch;
  apiKey: string | undefined;
  /** Per attempt, reading the body included. */
  timeoutMs: number;
  /** Which setting sets `timeoutMs`, for the timeout error's hint. */
  timeoutHint?: string;
  policy: RetryPolicy;
};

export type JsonRequest = {
  method: 'GET' | 'POST';
  /** Appended to the endpoint's base URL, e.g. `/chat/completions`. */
  path: string;
  body?: unknown;
  signal?: AbortSignal;
  /** Explains a 404 better than "not found" when it can (e.g. by listing the server's models). */
  onNotFound?: (endpoint: string) => Promise<Error | undefined>;
};

type Attempt =
  | { kind: 'answered'; status: number; retryAfter: string | null; text: string }
  | { kind: 'failed'; failure: AttemptFailure; cause: unknown };

/**
 * Sends one JSON request to the pool's next endpoint, retrying transient failures (429, 5xx, timeouts,
 * refused connections) on the following endpoints with backoff, and throws a `DeepeyesError` subclass
 * naming the server and what to do when it gives up. Aborting `signal` rejects at once with its reason.
 */
export async function requestJson(
  pool: EndpointPool,
  settings: HttpSettings,
  request: JsonRequest,
): Promise<{ json: unknown; url: string }> {
  const startedMs = settings.now();
  for (let attemptNumber = 1; ; attemptNumber++) {
    const endpoint = pool.next();
    if (request.signal?.aborted)
      throw callerAborted(endpoint, request.signal.reason, settings.now() - startedMs);
    const attempt = await attemptOnce(`${endpoint}${request.path}`, settings, request);
    let failure: AttemptFailure;
    let giveUp: () => Error;
    if (attempt.kind === 'failed') {
      failure = attempt.failure;
      giveUp = () =>
        failure.kind === 'timeout'
          ? new ModelTimeoutError({
              url: endpoint,
              timeoutMs: settings.timeoutMs,
              attempts: attemptNumber,
              cause: attempt.cause,
              request: `${request.method} ${new URL(endpoint).pathname.replace(/\/$/, '')}${request.path}`,
              ...(settings.timeoutHint ? { hint: settings.timeoutHint } : {}),
            })
          : new ModelUnreachableError({ url: endpoint, attempts: attemptNumber, cause: attempt.cause });
    } else if (attempt.status >= 200 && attempt.status < 300) {
      pool.markSucceeded(endpoint);
      return { json: parseJsonBody(endpoint, attempt.text), url: endpoint };
    } else {
      failure = {
        kind: 'status',
        status: attempt.status,
        retryAfterMs: parseRetryAfterMs(attempt.retryAfter, settings.now()),
      };
      const serverMessage = serverErrorMessage(attempt.text);
      if (!isRetryable(failure))
        throw await permanentError(endpoint, request, attempt.status, serverMessage, attemptNumber);
      giveUp = () =>
        new ModelEndpointError({
          url: endpoint,
          status: attempt.status,
          serverMessage,
          attempts: attemptNumber,
        });
    }
    pool.markFailed(endpoint);
    if (attemptNumber > settings.policy.maxRetries) throw giveUp();
    const waitMs = retryDelayMs(
      attemptNumber,
      settings.policy,
      settings.random,
      failure.kind === 'status' ? failure.retryAfterMs : undefined,
    );
    try {
      await settings.sleep(waitMs, request.signal);
    } catch (error) {
      if (request.signal?.aborted)
        throw callerAborted(endpoint, request.signal.reason, settings.now() - startedMs);
      throw error;
    }
  }
}

async function attemptOnce(url: string, settings: HttpSettings, request: JsonRequest): Promise<Attempt> {
  const controller = new AbortController();
  const startedMs = settings.now();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, settings.timeoutMs);
  const onAbort = () => controller.abort(request.signal?.reason);
  request.signal?.addEventListener('abort', onAbort, { once: true });
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  if (settings.apiKey !== undefined) headers.authorization = `Bearer ${settings.apiKey}`;
  try {
    const response = await settings.fetch(url, {
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal: controller.signal,
    });
    const text = await response.text();
    return {
      kind: 'answered',
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      text,
    };
  } catch (error) {
    if (request.signal?.aborted) throw callerAborted(url, request.signal.reason, settings.now() - startedMs);
    return { kind: 'failed', failure: { kind: timedOut ? 'timeout' : 'connection' }, cause: error };
  } finally {
    clearTimeout(timer);
    request.signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The caller's signal ended the call. A deadline (`AbortSignal.timeout`'s bare "The operation was aborted
 * due to timeout") is turned into an error naming the server; any other reason (Ctrl-C) passes unchanged.
 */
function callerAborted(url: string, reason: unknown, elapsedMs: number): unknown {
  if (reason instanceof Error && reason.name === 'TimeoutError') {
    return new ModelCallDeadlineError({
      url: url.replace(/\/(chat\/completions|models)$/, ''),
      elapsedMs,
      cause: reason,
    });
  }
  return reason;
}

function parseJsonBody(endpoint: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelReplyFormatError({
      url: endpoint,
      problem: 'a body that is not JSON',
      bodyStart: text.slice(0, 200),
      cause: error,
    });
  }
}

async function permanentError(
  endpoint: string,
  request: JsonRequest,
  status: number,
  serverMessage: string,
  attempts: number,
): Promise<Error> {
  if (status === 404) {
    const explained = await request.onNotFound?.(endpoint);
    if (explained !== undefined) return explained;
    return new ModelEndpointError({
      url: endpoint,
      status,
      serverMessage: `${request.method} ${request.path}: ${serverMessage}`,
      attempts,
      hint: 'Check that --model is the API base URL (usually ending in /v1) and --model-name is served there.',
    });
  }
  if (status === 400 || status === 413 || status === 422)
    return new ModelRequestRejectedError({ url: endpoint, status, serverMessage });
  return new ModelEndpointError({ url: endpoint, status, serverMessage, attempts });
}
