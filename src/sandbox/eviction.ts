/** What eviction needs to know of a session. */
export type EvictionCandidate = {
  id: string;
  lastActiveAt: number;
  /** Running or queued calls: such a session is never evicted. */
  busy: boolean;
  /** Memory it holds (PSS, bytes), when measured. */
  bytes?: number;
};

export type EvictionNeed = {
  /** Sessions that must go (e.g. 1 to open one more at the session limit). */
  sessions: number;
  /** Bytes that must be freed (memory budget); 0 when memory is not short. */
  bytes: number;
};

/**
 * The idle sessions to close, least recently used first, until both needs are met; null
 * when even closing every idle session would not meet them (the caller then refuses,
 * and closes nothing). Pure, so the policy is tested without kernels.
 */
export function chooseEvictions(candidates: EvictionCandidate[], need: EvictionNeed): string[] | null {
  if (need.sessions <= 0 && need.bytes <= 0) return [];
  const idle = candidates
    .filter((candidate) => !candidate.busy)
    .sort((a, b) => a.lastActiveAt - b.lastActiveAt);
  const chosen: string[] = [];
  let sessions = 0;
  let bytes = 0;
  for (const candidate of idle) {
    if (sessions >= need.sessions && bytes >= need.bytes) break;
    chosen.push(candidate.id);
    sessions += 1;
    bytes += candidate.bytes ?? 0;
  }
  return sessions >= need.sessions && bytes >= need.bytes ? chosen : null;
}
