import type { EvictionCandidate } from './eviction.js';

/**
 * The total memory budget across kernels: the rules, pure, so they are tested without kernels.
 *
 * Accounting. What the sandbox holds is the anonymous PSS of its processes, sampled from /proc:
 * the zygote, the warm pool and every session's kernel with its children (PSS splits the pages
 * a kernel still shares with the zygote, so the sum is what they really hold together). File
 * pages are left out: they are reclaimable page cache shared with every Python on the host
 * (process-memory.ts). A session opened since the last sample has no measure yet and is
 * charged its reservation.
 *
 * Admission. A new session reserves an idle kernel's memory plus its input images decoded
 * ({@link newSessionReservation}). When the budget cannot take it, idle sessions are evicted,
 * least recently used first, until it can; when even closing every idle session would not
 * make room, the new session waits for room, then is refused.
 *
 * Growth. Between calls a kernel grows only while it runs (each up to its own --memory-limit-mb).
 * After every sample, if the sandbox holds more than the budget, idle sessions are evicted LRU
 * first; if the busy kernels alone hold more, the largest of them are killed (their calls answer
 * that the kernel died for the budget) so the host never swaps or OOM-kills the server.
 */

/** Share of the machine's RAM the kernels may hold by default. */
export const DEFAULT_BUDGET_SHARE = 0.5;
/** The default never goes below this, so a small container still runs a few sessions. */
export const MIN_DEFAULT_BUDGET_BYTES = 256 * 2 ** 20;
/**
 * Charged to a new session before its first sample: an idle kernel holding an init cell's
 * worth of state (measured ~10 MB bare, ~36 MB with a 2000×1500 image sent as code).
 */
export const SESSION_BASE_RESERVATION_BYTES = 32 * 2 ** 20;

/**
 * The default budget: half of the machine's RAM (or of its cgroup limit) minus what the
 * server process itself holds; the rest is left to the server, the OS and other programs.
 */
export function defaultMemoryBudgetBytes(machineBytes: number, serverBytes: number): number {
  return Math.max(MIN_DEFAULT_BUDGET_BYTES, Math.floor(machineBytes * DEFAULT_BUDGET_SHARE - serverBytes));
}

/** What a new session is charged until it is measured: a kernel plus its images' pixels (RGBA). */
export function newSessionReservation(images: { width: number; height: number }[]): number {
  return images.reduce((sum, image) => sum + image.width * image.height * 4, SESSION_BASE_RESERVATION_BYTES);
}

export type BudgetRelief = {
  /** Idle sessions to evict, least recently used first. */
  evict: string[];
  /** Busy sessions whose kernels must be killed, largest first (only when idle ones are not enough). */
  kill: string[];
};

/**
 * What to close when the sandbox holds `overBytes` more than its budget: idle sessions LRU
 * first, then, only if every idle one together is not enough, the largest busy kernels.
 */
export function planBudgetRelief(
  sessions: (EvictionCandidate & { bytes: number })[],
  overBytes: number,
): BudgetRelief {
  const relief: BudgetRelief = { evict: [], kill: [] };
  let freed = 0;
  const idle = sessions.filter((s) => !s.busy).sort((a, b) => a.lastActiveAt - b.lastActiveAt);
  for (const session of idle) {
    if (freed >= overBytes) return relief;
    relief.evict.push(session.id);
    freed += session.bytes;
  }
  const busy = sessions.filter((s) => s.busy).sort((a, b) => b.bytes - a.bytes);
  for (const session of busy) {
    if (freed >= overBytes) return relief;
    relief.kill.push(session.id);
    freed += session.bytes;
  }
  return relief;
}
