import type { Execution } from '../sandbox/sandbox.js';

/** Upper bounds of the latency buckets, in ms (the last bucket is everything slower). */
export const LATENCY_BUCKETS_MS = [1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 30_000];

export type LatencySnapshot = {
  count: number;
  sumMs: number;
  /** `le` is the bucket's upper bound in ms ("+Inf" for the last); counts are cumulative, as in Prometheus. */
  buckets: { le: number | '+Inf'; count: number }[];
  p50Ms: number | null;
  p95Ms: number | null;
};

/** Execute-call latency at the HTTP API and outcome counters, for GET /metrics. */
export class SandboxMetrics {
  private readonly counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  private count = 0;
  private sumMs = 0;
  /** Recent samples for percentiles; a ring so memory stays bounded. */
  private readonly recent: number[] = [];
  private recentIndex = 0;
  readonly statuses: Record<Execution['status'], number> = {
    ok: 0,
    error: 0,
    timeout: 0,
    killed: 0,
    dead: 0,
  };
  requestsRejected = 0;

  constructor(private readonly recentCapacity = 2048) {}

  record(status: Execution['status'], latencyMs: number): void {
    this.statuses[status] += 1;
    this.count += 1;
    this.sumMs += latencyMs;
    const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => latencyMs <= bound);
    this.counts[bucket < 0 ? LATENCY_BUCKETS_MS.length : bucket]! += 1;
    if (this.recent.length < this.recentCapacity) this.recent.push(latencyMs);
    else this.recent[this.recentIndex] = latencyMs;
    this.recentIndex = (this.recentIndex + 1) % this.recentCapacity;
  }

  latency(): LatencySnapshot {
    let cumulative = 0;
    const buckets = this.counts.map((count, index) => {
      cumulative += count;
      return { le: LATENCY_BUCKETS_MS[index] ?? ('+Inf' as const), count: cumulative };
    });
    const sorted = [...this.recent].sort((a, b) => a - b);
    const at = (quantile: number) =>
      sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))]!;
    return { count: this.count, sumMs: this.sumMs, buckets, p50Ms: at(0.5), p95Ms: at(0.95) };
  }
}
