/** Recent queue waits kept for percentiles. */
const SAMPLES = 4096;

export type QueueWaitSummary = { count: number; p50: number | null; p95: number | null; max: number };

/**
 * How long calls waited behind earlier calls of their session, in ms: percentiles over the
 * most recent calls (a ring, so memory stays bounded) and the longest since start.
 */
export class QueueWaitStats {
  private readonly recent: number[] = [];
  private count = 0;
  private max = 0;

  record(ms: number): void {
    this.recent[this.count % SAMPLES] = ms;
    this.count += 1;
    if (ms > this.max) this.max = ms;
  }

  summary(): QueueWaitSummary {
    const sorted = [...this.recent].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? null : sorted[Math.floor(q * (sorted.length - 1))]!);
    return { count: this.count, p50: at(0.5), p95: at(0.95), max: this.max };
  }
}
