import { readdirSync, readFileSync } from 'node:fs';

export type Summary = { n: number; p50: number; p95: number; mean: number };

export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (quantile: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? NaN;
  const mean = sorted.reduce((sum, value) => sum + value, 0) / Math.max(sorted.length, 1);
  return { n: sorted.length, p50: at(0.5), p95: at(0.95), mean };
}

export async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const startedAt = performance.now();
  const value = await run();
  return [performance.now() - startedAt, value];
}

/** Every process below `rootPid` (children, grandchildren, …). */
export function descendants(rootPid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses; fields resume after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(entry), Number(fields[1]));
    } catch {
      // The process ended while we looked.
    }
  }
  const found: number[] = [];
  const frontier = [rootPid];
  while (frontier.length > 0) {
    const parent = frontier.pop()!;
    for (const [pid, ppid] of parents) {
      if (ppid === parent) {
        found.push(pid);
        frontier.push(pid);
      }
    }
  }
  return found;
}

/**
 * Proportional set size in KiB: shared pages are split between the processes
 * sharing them, the right measure for copy-on-write forks of one zygote.
 */
export function pssKib(pids: number[]): number {
  let total = 0;
  for (const pid of pids) {
    try {
      const match = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
      total += Number(match?.[1] ?? 0);
    } catch {
      // Gone.
    }
  }
  return total;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * CPU time the hypervisor gave to other guests while we wanted it ("steal", from
 * /proc/stat), as a share of all CPU time since `since`. On a shared VM this is the
 * sign of a noisy host, which slows every latency here by tens of percent.
 */
export function cpuTicks(): { steal: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { steal: fields[7] ?? 0, total: fields.reduce((sum, value) => sum + value, 0) };
}

export function stealPercent(since: { steal: number; total: number }): number {
  const now = cpuTicks();
  const total = now.total - since.total;
  return total > 0 ? (100 * (now.steal - since.steal)) / total : 0;
}
