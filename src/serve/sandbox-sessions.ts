import { DeepeyesError } from '../errors.js';
import type { OpenSessionOptions, Sandbox, SandboxSession } from '../sandbox/sandbox.js';

export type RegisteredSession = { session: SandboxSession; createdAt: number; lastActiveAt: number };

/** Evicted ids remembered so a later call can say its state was dropped; oldest forgotten first. */
const EVICTED_IDS_KEPT = 100_000;

/**
 * The sessions this server opened, by id. Works with any Sandbox: a session the
 * sandbox closed on its own (TTL, eviction, death) is dropped when the sandbox says so,
 * or the first time a call finds it closed.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, RegisteredSession>();
  private readonly opening = new Map<string, Promise<SandboxSession>>();
  /** Insertion-ordered, so the oldest eviction is the first key. */
  private readonly evicted = new Set<string>();

  constructor(
    private readonly sandbox: Sandbox,
    private readonly now: () => number = Date.now,
  ) {
    sandbox.onSessionClosed?.((id, reason) => {
      this.sessions.delete(id);
      if (reason !== 'evicted') return;
      this.evicted.add(id);
      if (this.evicted.size > EVICTED_IDS_KEPT) this.evicted.delete(this.evicted.values().next().value!);
    });
  }

  async open(options: OpenSessionOptions): Promise<SandboxSession> {
    const session = await this.sandbox.openSession(options);
    const at = this.now();
    this.sessions.set(session.id, { session, createdAt: at, lastActiveAt: at });
    if (options.sessionId !== undefined) this.evicted.delete(options.sessionId);
    return session;
  }

  /**
   * The v1 API creates a session on its first call; concurrent first calls share one kernel.
   * `evicted` is true when this id's earlier session was evicted for room and this is its
   * fresh replacement (told once, to the call that opened it).
   */
  async getOrCreate(id: string): Promise<{ session: SandboxSession; evicted: boolean }> {
    const existing = this.sessions.get(id);
    if (existing) return { session: existing.session, evicted: false };
    let pending = this.opening.get(id);
    if (pending) return { session: await pending, evicted: false };
    const evicted = this.evicted.has(id);
    pending = this.open({ sessionId: id }).finally(() => this.opening.delete(id));
    this.opening.set(id, pending);
    return { session: await pending, evicted };
  }

  get(id: string): SandboxSession | undefined {
    return this.sessions.get(id)?.session;
  }

  /** True when this id's session was evicted for room and not reopened since. */
  wasEvicted(id: string): boolean {
    return this.evicted.has(id);
  }

  touch(id: string): void {
    const entry = this.sessions.get(id);
    if (entry) entry.lastActiveAt = this.now();
  }

  /** Forgets a session (after it reported itself closed) without closing it again. */
  forget(id: string): void {
    this.sessions.delete(id);
  }

  /** Closes and forgets; false when there was no such session. */
  async close(id: string): Promise<boolean> {
    this.evicted.delete(id);
    const entry = this.sessions.get(id);
    if (!entry) return false;
    this.sessions.delete(id);
    await entry.session.close();
    return true;
  }

  list(): { id: string; createdAt: number; lastActiveAt: number }[] {
    return [...this.sessions.entries()].map(([id, entry]) => ({
      id,
      createdAt: entry.createdAt,
      lastActiveAt: entry.lastActiveAt,
    }));
  }

  get size(): number {
    return this.sessions.size;
  }

  get evictedRemembered(): number {
    return this.evicted.size;
  }
}

export function isSessionClosedError(error: unknown): boolean {
  return error instanceof DeepeyesError && error.code === 'session-closed';
}
