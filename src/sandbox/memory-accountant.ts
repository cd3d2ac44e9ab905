import type { KernelProcess } from './kernel-process.js';
import { type ProcessMemory, processMemory, treeMemory } from './process-memory.js';
import type { ZygoteProcess } from './zygote-process.js';

/** What the accountant reads of a session. */
export type MeasuredSession = { readonly id: string; readonly kernelPid: number };

export type MemorySnapshot = {
  budgetBytes: number;
  /** Everything charged now: the last sample plus reservations of sessions not measured yet. */
  usedBytes: number;
  /** The zygote, the warm pool and the pages kernels still share with the zygote (part of usedBytes). */
  baseBytes: number;
  /** When the last sample finished (ms since the epoch); null before the first. */
  sampledAt: number | null;
};

/**
 * Keeps the memory charge of every session against the budget (rules in memory-budget.ts):
 * what its kernel tree holds alone (private pages, what evicting it frees) at the last sample,
 * or, until its first sample, its reservation. Pages a kernel still shares with the zygote are
 * charged once, to the base, so base + charges is the PSS of the whole sandbox.
 * Sessions are keyed by id; the sandbox reserves when a session is admitted and releases when
 * it ends.
 */
export class MemoryAccountant {
  private readonly measured = new Map<string, number>();
  private readonly reserved = new Map<string, number>();
  private baseBytes = 0;
  private sampledAt: number | null = null;
  private sampling: Promise<void> | undefined;

  constructor(readonly budgetBytes: number) {}

  /** Charges a session its reservation until it is measured. */
  reserve(id: string, bytes: number): void {
    this.reserved.set(id, bytes);
    this.measured.delete(id);
  }

  /** Drops an ended (or never opened) session's charge. */
  release(id: string): void {
    this.reserved.delete(id);
    this.measured.delete(id);
  }

  chargeOf(id: string): number {
    return this.measured.get(id) ?? this.reserved.get(id) ?? 0;
  }

  /** Bytes charged now, reservations included. */
  usedBytes(): number {
    let total = this.baseBytes;
    for (const id of new Set([...this.measured.keys(), ...this.reserved.keys()])) total += this.chargeOf(id);
    return total;
  }

  snapshot(): MemorySnapshot {
    return {
      budgetBytes: this.budgetBytes,
      usedBytes: this.usedBytes(),
      baseBytes: this.baseBytes,
      sampledAt: this.sampledAt,
    };
  }

  /**
   * Measures the zygote, the pool and every session's kernel tree. `current` says whether a
   * session is still the one open under its id when the sample ends, so a session closed (or
   * replaced) meanwhile is not charged again. One sample at a time; a second caller shares it.
   */
  sample(
    zygote: ZygoteProcess,
    sessions: MeasuredSession[],
    pool: KernelProcess[],
    current: (session: MeasuredSession) => boolean,
  ): Promise<void> {
    this.sampling ??= this.measure(zygote, sessions, pool, current).finally(() => {
      this.sampling = undefined;
    });
    return this.sampling;
  }

  private async measure(
    zygote: ZygoteProcess,
    sessions: MeasuredSession[],
    pool: KernelProcess[],
    current: (session: MeasuredSession) => boolean,
  ): Promise<void> {
    const hostPids = await zygote.childHostPids();
    const none: ProcessMemory = { pss: 0, uss: 0 };
    const treeOf = (pid: number) => {
      const host = hostPids.get(pid);
      return host === undefined ? Promise.resolve(none) : treeMemory(host);
    };
    const zygotePid = await zygote.zygoteHostPid();
    const [zygoteMemory, poolMemory, sessionMemory] = await Promise.all([
      zygotePid === undefined ? none : processMemory(zygotePid),
      Promise.all(pool.map((kernel) => treeOf(kernel.pid))),
      Promise.all(sessions.map((session) => treeOf(session.kernelPid))),
    ]);
    let base = zygoteMemory.pss;
    for (const memory of poolMemory) base += memory.pss;
    sessions.forEach((session, index) => {
      const memory = sessionMemory[index] ?? none;
      base += memory.pss - memory.uss;
      if (!current(session)) return;
      this.measured.set(session.id, memory.uss);
      this.reserved.delete(session.id);
    });
    this.baseBytes = base;
    this.sampledAt = Date.now();
  }
}
