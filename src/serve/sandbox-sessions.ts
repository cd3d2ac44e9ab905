import { DeepeyesError } from '../errors.js';
import type { OpenSessionOptions, Sandbox, SandboxSession } from '../sandbox/sandbox.js';

export type RegisteredSession = { session: SandboxSession; createdAt: number; lastActiveAt: number };

/**
 * The sessions this server opened, by id. Works with any Sandbox: a session the
 * sandbox closed on its own (TTL, death) is dropped the first time it says so.
 */
export class SessionRegistry {
  private readonly sessions = new Map<string, RegisteredSession>();
  private readonly opening = new Map<string, Promise<SandboxSession>>();

  constructor(
    private readonly sandbox: Sandbox,
    private readonly now: () => number = Date.now,
  ) {}

  async open(options: OpenSessionOptions): Promise<SandboxSession> {
    const session = await this.sandbox.openSession(options);
    const at = this.now();
    this.sessions.set(session.id, { session, createdAt: at, lastActiveAt: at });
    return session;
  }

  /** The v1 API creates a session on its first call; concurrent first calls share one kernel. */
  async getOrCreate(id: string): Promise<SandboxSession> {
    const existing = this.sessions.get(id);
    if (existing) return existing.session;
    let pending = this.opening.get(id);
    if (!pending) {
      pending = this.open({ sessionId: id }).finally(() => this.opening.delete(id));
      this.opening.set(id, pending);
    }
    return pending;
  }

  get(id: string): SandboxSession | undefined {
    return this.sessions.get(id)?.session;
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
}

export function isSessionClosedError(error: unknown): boolean {
  return error instanceof DeepeyesError && error.code === 'session-closed';
}
