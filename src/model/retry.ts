/**
 * The retry policy for model requests, as pure functions: which failures are worth another try and how
 * long to wait before it. The I/O side (sleeping, switching endpoints) lives in `openai-chat-model.ts`.
 */

export type RetryPolicy = {
  /** Retries after the first attempt; 0 disables retrying. Default 4. */
  maxRetries: number;
  /** Backoff before the first retry, doubled for each further one. Default 500 ms. */
  baseDelayMs: number;
  /** No single wait is longer than this, whatever the backoff or `Retry-After` says. Default 30 000 ms. */
  maxDelayMs: number;
};

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 30_000 };

/** What went wrong on one attempt, as far as the retry decision cares. */
export type AttemptFailure =
  | { kind: 'status'; status: number; retryAfterMs?: number }
  | { kind: 'timeout' }
  | { kind: 'connection' };

/**
 * Rate limits (429), server errors (5xx), timeouts and connection failures are transient: a busy or
 * restarting vLLM answers them. 4xx other than 429 describe the request and would fail again.
 */
export function isRetryable(failure: AttemptFailure): boolean {
  if (failure.kind !== 'status') return true;
  return failure.status === 429 || failure.status >= 500;
}

/**
 * Wait before retry number `retry` (1-based): exponential backoff with "equal jitter" (half fixed,
 * half random) so parallel clients that failed together do not retry together. A server's
 * `Retry-After` wins when it asks for longer. `random` returns a number in [0, 1).
 */
export function retryDelayMs(
  retry: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  const jittered = exponential / 2 + (random() * exponential) / 2;
  const wanted = retryAfterMs === undefined ? jittered : Math.max(jittered, retryAfterMs);
  return Math.round(Math.min(policy.maxDelayMs, wanted));
}

/**
 * Parses an HTTP `Retry-After` header: delay seconds (`"3"`, `"0.5"`) or an HTTP date. Returns
 * undefined for a missing or unreadable header; a date in the past means "now" (0).
 */
export function parseRetryAfterMs(header: string | null | undefined, nowMs: number): number | undefined {
  if (header === null || header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const dateMs = Date.parse(text);
  if (Number.isNaN(dateMs)) return undefined;
  return Math.max(0, dateMs - nowMs);
}
