import { LATENCY_BUCKETS_MS, type LatencySnapshot } from './sandbox-metrics.js';

/** Step counters and latency for `GET /metrics` of `env serve`. */
export class EnvMetrics {
  private readonly counts = new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0);
  private readonly recent: number[] = [];
  private readonly overhead: number[] = [];
  private recentIndex = 0;
  private sumMs = 0;
  steps = 0;
  /** Step start times (ms) in the last window, for steps/s. */
  private readonly window: number[] = [];
  readonly toolErrors: Record<string, number> = {};
  readonly doneReasons: Record<string, number> = {};
  finishes = 0;

  constructor(
    private readonly now: () => number = () => performance.now(),
    private readonly windowMs = 10_000,
    private readonly recentCapacity = 4096,
  ) {}

  recordStep(
    latencyMs: number,
    overheadMs: number,
    outcome: { tool?: string; error?: boolean; doneReason?: string | null },
  ): void {
    this.steps += 1;
    this.sumMs += latencyMs;
    const bucket = LATENCY_BUCKETS_MS.findIndex((bound) => latencyMs <= bound);
    this.counts[bucket < 0 ? LATENCY_BUCKETS_MS.length : bucket]! += 1;
    if (this.recent.length < this.recentCapacity) {
      this.recent.push(latencyMs);
      this.overhead.push(overheadMs);
    } else {
      this.recent[this.recentIndex] = latencyMs;
      this.overhead[this.recentIndex] = overheadMs;
    }
    this.recentIndex = (this.recentIndex + 1) % this.recentCapacity;
    const at = this.now();
    this.window.push(at);
    while (this.window.length > 0 && at - this.window[0]! > this.windowMs) this.window.shift();
    if (outcome.error && outcome.tool)
      this.toolErrors[outcome.tool] = (this.toolErrors[outcome.tool] ?? 0) + 1;
    if (outcome.doneReason)
      this.doneReasons[outcome.doneReason] = (this.doneReasons[outcome.doneReason] ?? 0) + 1;
  }

  stepsPerSecond(): number {
    const at = this.now();
    const recent = this.window.filter((time) => at - time <= this.windowMs).length;
    return recent / (this.windowMs / 1000);
  }

  latency(): LatencySnapshot & { overheadP50Ms: number | null } {
    let cumulative = 0;
    const buckets = this.counts.map((count, index) => {
      cumulative += count;
      return { le: LATENCY_BUCKETS_MS[index] ?? ('+Inf' as const), count: cumulative };
    });
    return {
      count: this.steps,
      sumMs: this.sumMs,
      buckets,
      p50Ms: quantile(this.recent, 0.5),
      p95Ms: quantile(this.recent, 0.95),
      overheadP50Ms: quantile(this.overhead, 0.5),
    };
  }
}

function quantile(values: readonly number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
