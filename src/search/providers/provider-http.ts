import { SearchProviderError } from '../search-errors.js';

export type ProviderHttpOptions = {
  /** Per attempt. Default 15000. */
  timeoutMs?: number;
  /** Extra attempts after a network error, timeout, 429 or 5xx. Default 2. */
  retries?: number;
  /** First backoff; doubles each retry, with jitter; a Retry-After header wins (capped at 30 s). Default 500. */
  backoffMs?: number;
  /** Minimum time between two request starts to this provider (a rate limit). Default 0. */
  minIntervalMs?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
};

const MAX_RETRY_AFTER_MS = 30_000;
const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** HTTP for one search provider: timeouts, retries with backoff, and a request-rate limit. */
export class ProviderHttp {
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly minIntervalMs: number;
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private nextStartMs = 0;

  constructor(
    readonly provider: string,
    options: ProviderHttpOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.retries = options.retries ?? 2;
    this.backoffMs = options.backoffMs ?? 500;
    this.minIntervalMs = options.minIntervalMs ?? 0;
    this.fetchImpl = options.fetch ?? fetch;
    this.sleep = options.sleep ?? defaultSleep;
  }

  /** Sends the request and parses a JSON answer; throws `SearchProviderError` once retries are spent. */
  async json(url: string, init: RequestInit = {}, signal?: AbortSignal): Promise<unknown> {
    const response = await this.send(
      url,
      { ...init, headers: { accept: 'application/json', ...init.headers } },
      signal,
    );
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new SearchProviderError(
        this.provider,
        `answered something that is not JSON: ${text.slice(0, 120)}`,
        { cause },
      );
    }
  }

  /** Sends the request and returns the answer's body as text. */
  async text(url: string, init: RequestInit = {}, signal?: AbortSignal): Promise<string> {
    return (await this.send(url, init, signal)).text();
  }

  async bytes(url: string, signal?: AbortSignal): Promise<Uint8Array> {
    const response = await this.send(url, {}, signal);
    return new Uint8Array(await response.arrayBuffer());
  }

  private async send(url: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    let lastError: SearchProviderError | undefined;
    for (let attempt = 0; attempt <= this.retries; attempt += 1) {
      if (attempt > 0) await this.sleep(lastRetryDelay(lastError, this.backoffMs * 2 ** (attempt - 1)));
      await this.waitForTurn();
      signal?.throwIfAborted();
      const timeout = AbortSignal.timeout(this.timeoutMs);
      const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
      let response: Response;
      try {
        response = await this.fetchImpl(url, { ...init, signal: combined });
      } catch (cause) {
        if (signal?.aborted) throw cause;
        const reason = timeout.aborted
          ? `timed out after ${this.timeoutMs} ms`
          : `is unreachable (${describe(cause)})`;
        lastError = new SearchProviderError(this.provider, reason, { cause });
        continue;
      }
      if (response.ok) return response;
      const body = (await response.text().catch(() => '')).slice(0, 200);
      const error = new SearchProviderError(
        this.provider,
        `answered HTTP ${response.status}${body ? `: ${body}` : ''}`,
        {
          status: response.status,
          hint:
            response.status === 401 || response.status === 403
              ? `check the ${this.provider} API key`
              : undefined,
        },
      );
      if (!RETRYABLE_STATUS.has(response.status)) throw error;
      lastError = Object.assign(error, { retryAfterMs: retryAfterMs(response.headers.get('retry-after')) });
    }
    throw lastError!;
  }

  private async waitForTurn(): Promise<void> {
    if (this.minIntervalMs <= 0) return;
    const now = Date.now();
    const start = Math.max(now, this.nextStartMs);
    this.nextStartMs = start + this.minIntervalMs;
    if (start > now) await this.sleep(start - now);
  }
}

function lastRetryDelay(
  error: (SearchProviderError & { retryAfterMs?: number }) | undefined,
  backoffMs: number,
): number {
  if (error?.retryAfterMs !== undefined) return Math.min(MAX_RETRY_AFTER_MS, error.retryAfterMs);
  return backoffMs * (0.75 + Math.random() * 0.5);
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function describe(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause.cause as { code?: string } | undefined)?.code;
    return code ?? cause.message;
  }
  return String(cause);
}
