import { describe, expect, it } from 'vitest';
import { isRetryable, parseRetryAfterMs, retryDelayMs } from './retry.js';

const policy = { maxRetries: 4, baseDelayMs: 500, maxDelayMs: 4_000 };

describe('retry policy', () => {
  it('retries rate limits, server errors, timeouts and refused connections only', () => {
    expect([429, 500, 502, 503].map((status) => isRetryable({ kind: 'status', status }))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect([400, 401, 404, 422].map((status) => isRetryable({ kind: 'status', status }))).toEqual([
      false,
      false,
      false,
      false,
    ]);
    expect(isRetryable({ kind: 'timeout' })).toBe(true);
    expect(isRetryable({ kind: 'connection' })).toBe(true);
  });

  it('doubles the wait per retry within a jitter band and caps it', () => {
    expect([1, 2, 3, 4, 5].map((retry) => retryDelayMs(retry, policy, () => 0))).toEqual([
      250, 500, 1000, 2000, 2000,
    ]);
    expect([1, 2, 3, 4, 5].map((retry) => retryDelayMs(retry, policy, () => 0.999999))).toEqual([
      500, 1000, 2000, 4000, 4000,
    ]);
  });

  it('waits at least as long as Retry-After asks, up to the cap', () => {
    expect(retryDelayMs(1, policy, () => 0, 1_500)).toBe(1_500);
    expect(retryDelayMs(1, policy, () => 0, 0)).toBe(250);
    expect(retryDelayMs(1, policy, () => 0, 60_000)).toBe(4_000);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const nowMs = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs('2', nowMs)).toBe(2_000);
    expect(parseRetryAfterMs('0.25', nowMs)).toBe(250);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', nowMs)).toBe(5_000);
    expect(parseRetryAfterMs('Tue, 31 Dec 2024 23:00:00 GMT', nowMs)).toBe(0);
    expect(parseRetryAfterMs('soon', nowMs)).toBeUndefined();
    expect(parseRetryAfterMs(null, nowMs)).toBeUndefined();
  });
});
