/**
 * Round-robin over several model servers (data-parallel vLLM replicas). An endpoint that just failed
 * sits out a short cool-down so the next requests go to healthy ones; when every endpoint is cooling
 * down, the one that failed longest ago is tried anyway, because refusing all work is worse.
 */
export class EndpointPool {
  readonly endpoints: readonly string[];
  private readonly coolDownMs: number;
  private readonly now: () => number;
  private readonly failedAtMs = new Map<string, number>();
  private cursor = 0;

  /**
   * @param endpoints base URLs, in the order they are tried.
   * @param options.coolDownMs how long a failed endpoint is skipped (default 5 000 ms).
   * @param options.now clock in ms (default `Date.now`), injectable for tests.
   */
  constructor(endpoints: readonly string[], options: { coolDownMs?: number; now?: () => number } = {}) {
    if (endpoints.length === 0) throw new RangeError('EndpointPool needs at least one endpoint');
    this.endpoints = [...endpoints];
    this.coolDownMs = options.coolDownMs ?? 5_000;
    this.now = options.now ?? Date.now;
  }

  /** The next endpoint in turn that is not cooling down. */
  next(): string {
    const nowMs = this.now();
    const count = this.endpoints.length;
    let fallback: { endpoint: string; failedAtMs: number; offset: number } | undefined;
    for (let offset = 0; offset < count; offset++) {
      const endpoint = this.endpoints[(this.cursor + offset) % count]!;
      const failedAtMs = this.failedAtMs.get(endpoint);
      if (failedAtMs === undefined || nowMs - failedAtMs >= this.coolDownMs) {
        this.cursor = (this.cursor + offset + 1) % count;
        return endpoint;
      }
      if (fallback === undefined || failedAtMs < fallback.failedAtMs)
        fallback = { endpoint, failedAtMs, offset };
    }
    this.cursor = (this.cursor + fallback!.offset + 1) % count;
    return fallback!.endpoint;
  }

  /** Record a transient failure (connection refused, timeout, 5xx, 429): skip it for the cool-down. */
  markFailed(endpoint: string): void {
    this.failedAtMs.set(endpoint, this.now());
  }

  /** A successful answer ends the cool-down at once. */
  markSucceeded(endpoint: string): void {
    this.failedAtMs.delete(endpoint);
  }

  /** Whether `endpoint` is currently sitting out a cool-down. */
  isCoolingDown(endpoint: string): boolean {
    const failedAtMs = this.failedAtMs.get(endpoint);
    return failedAtMs !== undefined && this.now() - failedAtMs < this.coolDownMs;
  }
}
