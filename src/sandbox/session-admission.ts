import { DeepeyesError } from '../errors.js';
import { chooseEvictions } from './eviction.js';
import type { KernelSession } from './kernel-session.js';
import type { MemoryAccountant } from './memory-accountant.js';
import { planBudgetRelief } from './memory-budget.js';

/** What eviction and the budget need to know of an open session (also listed by the sandbox). */
export type SessionInfo = {
  id: string;
  createdAt: number;
  lastActiveAt: number;
  busy: boolean;
  alive: boolean;
  /** Memory charged to it: its kernel's PSS at the last sample, or its reservation before that. */
  bytes: number;
};

export type AdmissionCounters = {
  /** Idle sessions closed to make room (session limit or memory budget). */
  evicted: number;
  rejected: number;
  budgetEvictions: number;
  budgetRefusals: number;
  budgetKills: number;
};

type AdmissionLimits = { maxSessions: number; sessionWaitMs: number };

/**
 * Capacity: who may open a session, and who must make room. A new session fits under both the
 * session limit and the memory budget, evicting idle sessions least recently used first; when
 * nothing idle can go, it waits (up to sessionWaitMs) for room, then is refused. After every
 * memory sample the same rules keep the sandbox within its budget. The open sessions stay the
 * sandbox's (`sessions`); ids being opened count against the limit here.
 */
export class SessionAdmission {
  /** Ids whose kernel is being prepared; they count against maxSessions. */
  readonly opening = new Set<string>();
  /** Ids waiting for room (session limit or memory budget); they do not count yet. */
  readonly waiting = new Set<string>();
  readonly counters: AdmissionCounters = {
    evicted: 0,
    rejected: 0,
    budgetEvictions: 0,
    budgetRefusals: 0,
    budgetKills: 0,
  };
  /** Woken whenever room may have appeared: a session went idle or closed, or memory was sampled. */
  private roomWaiters = new Set<() => void>();

  constructor(
    private readonly limits: AdmissionLimits,
    private readonly sessions: Map<string, KernelSession>,
    private readonly memory: MemoryAccountant,
    private readonly listSessions: () => SessionInfo[],
    private readonly isClosed: () => boolean,
    private readonly log: (line: string) => void,
  ) {}

  /** True when the id is open, opening or waiting to open. */
  has(id: string): boolean {
    return this.sessions.has(id) || this.opening.has(id) || this.waiting.has(id);
  }

  /**
   * Waits (up to sessionWaitMs) until a new session fits under both the session limit and the
   * memory budget, evicting idle sessions LRU to make room; then counts it as opening and charges
   * its reservation, before any await, so concurrent opens see the room as taken. Refuses with
   * 503-class errors when the wait runs out (or at once when the session could never fit).
   * Returns the evicted sessions, already taken out, for the caller to close; the caller ends
   * the opening with {@link opened}.
   */
  async admit(id: string, reservation: number): Promise<KernelSession[]> {
    this.waiting.add(id);
    try {
      return await this.waitForRoom(id, reservation);
    } finally {
      this.waiting.delete(id);
    }
  }

  /** The session is open (or failed to open): it no longer counts as opening. */
  opened(id: string): void {
    this.opening.delete(id);
    this.wake();
  }

  /** Wakes every opener waiting for room, to look again. */
  wake(): void {
    if (this.roomWaiters.size === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = new Set();
    for (const wake of waiters) wake();
  }

  /**
   * After a memory sample: when the sandbox holds more than its budget, idle sessions are taken
   * out LRU first (returned, for the caller to close) and, when the running kernels alone hold
   * more, the largest of them are killed.
   */
  relieveBudget(): KernelSession[] {
    const over = this.memory.usedBytes() - this.memory.budgetBytes;
    if (over <= 0) return [];
    // Reservations of sessions still opening are not held yet: running kernels are not killed for them.
    const measured = this.listSessions().filter((session) => !this.opening.has(session.id));
    const relief = planBudgetRelief(measured, over - this.openingReservations());
    const budget = `the memory budget (${this.budgetMb()} MB)`;
    for (const id of relief.kill) {
      this.counters.budgetKills += 1;
      this.log(`sandbox: killed the kernel of busy session ${id}, the largest, to stay within ${budget}`);
      this.sessions
        .get(id)
        ?.killKernel(
          `the sandbox's total memory budget (${this.budgetMb()} MB) was exceeded while every other session was running too, and this kernel held the most`,
        );
    }
    return this.detach(relief.evict, budget, true);
  }

  budgetMb(): number {
    return Math.round(this.memory.budgetBytes / 2 ** 20);
  }

  private async waitForRoom(id: string, reservation: number): Promise<KernelSession[]> {
    const deadline = Date.now() + this.limits.sessionWaitMs;
    for (;;) {
      if (this.isClosed()) throw new DeepeyesError('sandbox-closed', 'The sandbox is closed (shutting down)');
      const sessionsOver = this.sessions.size + this.opening.size + 1 - this.limits.maxSessions;
      const bytesOver = this.memory.usedBytes() + reservation - this.memory.budgetBytes;
      const candidates = this.listSessions();
      const victims = chooseEvictions(candidates, { sessions: sessionsOver, bytes: bytesOver });
      if (victims !== null) {
        this.opening.add(id);
        this.memory.reserve(id, reservation);
        // The first ones meet the session limit; any beyond them were evicted for memory.
        const forSessions = Math.max(0, sessionsOver);
        return [
          ...this.detach(victims.slice(0, forSessions), `the session limit (${this.limits.maxSessions})`),
          ...this.detach(victims.slice(forSessions), `the memory budget (${this.budgetMb()} MB)`, true),
        ];
      }
      const neverFits = reservation > this.memory.budgetBytes - this.memory.snapshot().baseBytes;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || neverFits) {
        this.counters.rejected += 1;
        if (chooseEvictions(candidates, { sessions: sessionsOver, bytes: 0 }) === null) {
          throw new DeepeyesError(
            'sandbox-full',
            `The sandbox has ${this.limits.maxSessions} open sessions and every one is running a call`,
            { hint: 'Retry when a call finishes, close finished sessions, or raise --max-sessions.' },
          );
        }
        this.counters.budgetRefusals += 1;
        const mb = (bytes: number) => Math.round(bytes / 2 ** 20);
        throw new DeepeyesError(
          'sandbox-memory-full',
          `The sandbox's memory budget (${this.budgetMb()} MB) cannot take a new session needing ${mb(reservation)} MB: ${mb(this.memory.usedBytes())} MB are held, by sessions running calls and the kernel pool`,
          {
            hint: 'Retry when calls finish, close finished sessions, or raise --memory-budget-mb (or lower --memory-limit-mb so kernels grow less).',
          },
        );
      }
      await this.roomChanged(remaining);
    }
  }

  /** Resolves when room may have appeared, or after `ms`. */
  private roomChanged(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.roomWaiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.roomWaiters.add(wake);
    });
  }

  private openingReservations(): number {
    let total = 0;
    for (const id of this.opening) total += this.memory.chargeOf(id);
    return total;
  }

  /**
   * Takes these idle sessions out to be evicted, counted and logged; the caller closes them.
   * Synchronous, so concurrent opens count the room as taken at once.
   */
  private detach(ids: string[], cause: string, forBudget = false): KernelSession[] {
    const detached: KernelSession[] = [];
    for (const id of ids) {
      const session = this.sessions.get(id);
      if (!session) continue;
      this.sessions.delete(id);
      this.memory.release(id);
      this.counters.evicted += 1;
      if (forBudget) this.counters.budgetEvictions += 1;
      this.log(`sandbox: evicted idle session ${id} (least recently used) to stay within ${cause}`);
      detached.push(session);
    }
    return detached;
  }
}
