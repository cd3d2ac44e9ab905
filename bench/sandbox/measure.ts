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

/**
 * Minor page faults taken so far by each of `pids` (field 10 of /proc/<pid>/stat). A fault is
 * the first touch of a fresh page; on the VMs measured each costs 30-90 us (30-100× bare
 * metal), so for big payloads the count, not the CPU work, sets the latency. Load-independent.
 */
export function minorFaults(pids: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      counts.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[7]));
    } catch {
      // Gone.
    }
  }
  return counts;
}

/** Faults taken between two {@link minorFaults} readings, by processes present in both. */
export function faultsBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, count] of after) total += count - (before.get(pid) ?? count);
  return total;
}

/** The cost of touching fresh memory here: µs per 4 KiB page, from mapping and writing 16 MiB. */
export function pageFaultMicros(): number {
  const before = process.resourceUsage().minorPageFault;
  const startedAt = performance.now();
  const buffer = Buffer.alloc(16 * 2 ** 20, 1);
  const ms = performance.now() - startedAt;
  const faults = Math.max(1, process.resourceUsage().minorPageFault - before);
  buffer[0] = 0;
  return (ms * 1000) / faults;
}
