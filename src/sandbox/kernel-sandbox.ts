import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeepeyesError, UserError } from '../errors.js';
import { validateInputImage } from '../image/validate-input-image.js';
import { checkHost } from './host-check.js';
import { KernelPool } from './kernel-pool.js';
import type { KernelProcess } from './kernel-process.js';
import { KernelSession } from './kernel-session.js';
import { loadImages } from './load-images.js';
import { MemoryAccountant } from './memory-accountant.js';
import { defaultMemoryBudgetBytes, newSessionReservation } from './memory-budget.js';
import { machineMemoryBytes } from './process-memory.js';
import { QueueWaitStats, type QueueWaitSummary } from './queue-wait-stats.js';
import { type ReadOnlyBind, resolveReadOnlyPaths } from './ro-paths.js';
import type {
  Execution,
  OpenSessionOptions,
  Sandbox,
  SandboxSession,
  SessionCloseReason,
} from './sandbox.js';
import {
  type KernelSandboxOptions,
  kernelSandboxOptionsSchema,
  type ResolvedSandboxOptions,
} from './sandbox-options.js';
import { SessionAdmission, type SessionInfo } from './session-admission.js';

export type { SessionInfo } from './session-admission.js';

/** Counters and gauges for /metrics and benchmarks. */
export type SandboxStats = {
  isolation: boolean;
  sessions: number;
  maxSessions: number;
  poolReady: number;
  kernelsStarted: number;
  executions: Record<Execution['status'], number>;
  sessionsExpired: number;
  /** Idle sessions closed to make room (session limit or memory budget). */
  sessionsEvicted: number;
  sessionsRejected: number;
  memory: {
    budgetBytes: number;
    /** Held now by the zygote, the pool and every session (last sample + reservations). */
    usedBytes: number;
    /** The zygote, the warm pool and the pages kernels share with the zygote (part of usedBytes). */
    baseBytes: number;
    sampledAt: number | null;
    /** Idle sessions evicted for the budget (also counted in sessionsEvicted). */
    evictions: number;
    /** New sessions refused for the budget (also counted in sessionsRejected). */
    refusals: number;
    /** Running kernels killed because the busy ones alone held more than the budget. */
    kills: number;
  };
  /** How long calls waited behind earlier calls of their session (recent calls; max since start). */
  queueWaitMs: QueueWaitSummary;
};

/**
 * The local Sandbox: IPython kernels forked from a warm zygote, each under
 * bubblewrap with its own uid, no network and a private scratch tmpfs.
 * Create with {@link createLocalSandbox}; always `close()` it.
 */
export class KernelSandbox implements Sandbox {
  private readonly pool: KernelPool;
  private readonly sessions = new Map<string, KernelSession>();
  private readonly admission: SessionAdmission;
  private readonly memory: MemoryAccountant;
  private readonly memoryTimer: NodeJS.Timeout;
  private readonly queueWaits = new QueueWaitStats();
  private closed = false;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly closeListeners: ((id: string, reason: SessionCloseReason) => void)[] = [];
  private readonly stats = {
    sessionsExpired: 0,
    executions: { ok: 0, error: 0, timeout: 0, killed: 0, dead: 0 },
  };

  private constructor(
    readonly options: ResolvedSandboxOptions,
    private readonly runDir: string,
    private readonly ownsRunDir: boolean,
    log: (line: string) => void,
    sharedPaths: ReadOnlyBind[],
  ) {
    this.pool = new KernelPool(options, runDir, sharedPaths, log);
    const sweepEveryMs = Math.min(Math.max(Math.floor(options.sessionTtlMs / 4), 50), 10_000);
    this.sweepTimer = setInterval(() => void this.expireIdleSessions(), sweepEveryMs);
    this.sweepTimer.unref();
    const budgetBytes =
      options.memoryBudgetMb === undefined
        ? defaultMemoryBudgetBytes(machineMemoryBytes(), process.memoryUsage().rss)
        : options.memoryBudgetMb * 2 ** 20;
    this.memory = new MemoryAccountant(budgetBytes);
    this.admission = new SessionAdmission(
      options,
      this.sessions,
      this.memory,
      () => this.listSessions(),
      () => this.closed,
      log,
    );
    this.memoryTimer = setInterval(() => void this.sampleMemory().catch(() => {}), options.memorySampleMs);
    this.memoryTimer.unref();
  }

  static async create(
    input: KernelSandboxOptions = {},
    log: (line: string) => void = () => {},
  ): Promise<KernelSandbox> {
    const options = kernelSandboxOptionsSchema.parse(input);
    checkHost(options);
    const ownsRunDir = options.runDir === undefined;
    // Unix socket paths are limited to 107 bytes, so the run dir stays short.
    const runDir = options.runDir ?? mkdtempSync(join(tmpdir(), 'deepeyes-sbx-'));
    mkdirSync(runDir, { recursive: true, mode: 0o711 });
    let sharedPaths: ReadOnlyBind[];
    try {
      sharedPaths = resolveReadOnlyPaths(options.readOnlyPaths, runDir);
    } catch (error) {
      if (ownsRunDir) rmSync(runDir, { recursive: true, force: true });
      throw error;
    }
    const sandbox = new KernelSandbox(options, runDir, ownsRunDir, log, sharedPaths);
    try {
      await sandbox.pool.ensureZygote();
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    sandbox.pool.fill();
    return sandbox;
  }

  async openSession(options: OpenSessionOptions = {}): Promise<SandboxSession> {
    if (this.closed) throw new DeepeyesError('sandbox-closed', 'The sandbox is closed (shutting down)');
    const id = options.sessionId ?? randomUUID();
    this.checkIdFree(id);
    const images = options.images ?? [];
    // The same check as the CLI's --image (a truncated JPEG is refused here, naming image_n,
    // rather than failing later at image_n.load() in the kernel); the sizes give the reservation.
    const infos = await Promise.all(
      images.map((image, index) => validateInputImage(image.bytes, `image_${index + 1}`)),
    );
    this.checkIdFree(id);
    const evicted = await this.admission.admit(id, newSessionReservation(infos));
    let kernel: KernelProcess | undefined;
    try {
      await Promise.all(evicted.map((session) => session.close('evicted')));
      kernel = await this.pool.acquire();
      await loadImages(kernel, images);
    } catch (error) {
      this.memory.release(id);
      await kernel?.dispose();
      throw error;
    } finally {
      this.admission.opened(id);
    }
    const session = new KernelSession(id, kernel, {
      outputLimits: {
        maxStreamChars: this.options.maxOutputChars,
        maxImages: this.options.maxImages,
        maxImageBytes: this.options.maxImageBytes,
      },
      defaultTimeoutMs: this.options.defaultTimeoutMs,
      interruptGraceMs: this.options.interruptGraceMs,
      memoryLimitMb: this.options.memoryLimitMb,
      replaceKernel: async () => {
        const fresh = await this.pool.acquire();
        await loadImages(fresh, images);
        return fresh;
      },
      onClosed: (closed, reason) => {
        if (this.sessions.get(closed.id) === closed) this.sessions.delete(closed.id);
        if (!this.sessions.has(closed.id) && !this.admission.opening.has(closed.id)) {
          this.memory.release(closed.id);
        }
        this.admission.wake();
        if (reason !== 'closed') for (const listener of this.closeListeners) listener(closed.id, reason);
      },
      onExecuted: (status, _durationMs, queueWaitMs) => {
        this.stats.executions[status] += 1;
        this.queueWaits.record(queueWaitMs);
      },
      onIdle: () => this.admission.wake(),
    });
    if (this.closed) {
      this.memory.release(id);
      await session.close();
      throw new DeepeyesError('sandbox-closed', 'The sandbox closed while the session was opening');
    }
    this.sessions.set(id, session);
    return session;
  }

  onSessionClosed(listener: (id: string, reason: SessionCloseReason) => void): void {
    this.closeListeners.push(listener);
  }

  private checkIdFree(id: string): void {
    if (this.admission.has(id)) {
      throw new UserError('session-exists', `Sandbox session ${id} already exists`);
    }
  }

  /**
   * Measures every kernel's memory (see memory-accountant.ts), then keeps the sandbox within
   * its budget: idle sessions evicted LRU first, and, when the running kernels alone hold more,
   * the largest of them killed. Runs every memorySampleMs; callable at any time.
   */
  async sampleMemory(): Promise<void> {
    const zygote = this.pool.runningZygote;
    if (this.closed || !zygote) return;
    const sessions = [...this.sessions.values()];
    await this.memory.sample(
      zygote,
      sessions,
      [...this.pool.readyKernels],
      (session) => this.sessions.get(session.id) === session,
    );
    if (this.closed) return;
    await Promise.all(this.admission.relieveBudget().map((session) => session.close('evicted')));
    this.admission.wake();
  }

  /** A session opened earlier and not closed or expired. */
  getSession(id: string): KernelSession | undefined {
    return this.sessions.get(id);
  }

  listSessions(): SessionInfo[] {
    return [...this.sessions.values()].map((session) => ({
      id: session.id,
      createdAt: session.createdAt,
      lastActiveAt: session.lastActiveAt,
      busy: session.busy,
      alive: session.alive,
      bytes: this.memory.chargeOf(session.id),
    }));
  }

  getStats(): SandboxStats {
    const counters = this.admission.counters;
    return {
      isolation: this.options.isolation,
      sessions: this.sessions.size,
      maxSessions: this.options.maxSessions,
      poolReady: this.pool.readyCount,
      kernelsStarted: this.pool.kernelsStarted,
      executions: { ...this.stats.executions },
      sessionsExpired: this.stats.sessionsExpired,
      sessionsEvicted: counters.evicted,
      sessionsRejected: counters.rejected,
      memory: {
        budgetBytes: this.memory.budgetBytes,
        usedBytes: this.memory.usedBytes(),
        baseBytes: this.memory.snapshot().baseBytes,
        sampledAt: this.memory.snapshot().sampledAt,
        evictions: counters.budgetEvictions,
        refusals: counters.budgetRefusals,
        kills: counters.budgetKills,
      },
      queueWaitMs: this.queueWaits.summary(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.memoryTimer);
    this.admission.wake();
    const sessions = [...this.sessions.values()];
    await Promise.all([...sessions.map((session) => session.close('shutdown')), this.pool.close()]);
    this.sessions.clear();
    this.pool.stopZygote();
    if (this.ownsRunDir) rmSync(this.runDir, { recursive: true, force: true });
  }

  /** Closes sessions idle for longer than the TTL (never one in the middle of a call). */
  async expireIdleSessions(now: number = Date.now()): Promise<void> {
    const expired = [...this.sessions.values()].filter(
      (session) => !session.busy && now - session.lastActiveAt >= this.options.sessionTtlMs,
    );
    this.stats.sessionsExpired += expired.length;
    await Promise.all(expired.map((session) => session.close('expired')));
  }
}

/** Starts a local kernel sandbox (zygote + warm pool). See {@link kernelSandboxOptionsSchema} for options. */
export function createLocalSandbox(
  options: KernelSandboxOptions = {},
  log?: (line: string) => void,
): Promise<KernelSandbox> {
  return KernelSandbox.create(options, log);
}
