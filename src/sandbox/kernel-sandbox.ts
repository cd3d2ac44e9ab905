import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeepeyesError, UserError } from '../errors.js';
import { validateInputImage } from '../image/validate-input-image.js';
import { chooseEvictions } from './eviction.js';
import { KernelProcess } from './kernel-process.js';
import { KernelSession } from './kernel-session.js';
import { loadImages } from './load-images.js';
import { MemoryAccountant } from './memory-accountant.js';
import { defaultMemoryBudgetBytes, newSessionReservation, planBudgetRelief } from './memory-budget.js';
import { machineMemoryBytes } from './process-memory.js';
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
import { ZygoteProcess } from './zygote-process.js';

const REFILL_DELAY_MS = 100;
/**
 * Pool kernels started at once. One at a time capped the refill at ~10 kernels/s (a start is
 * ~55 ms of wall time, mostly waiting on the fork and the first request); two keep both
 * cores busy and reach ~19/s, so a pool drained by many sessions opening together refills
 * before the next wave.
 */
const POOL_STARTS_IN_PARALLEL = 2;

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
  queueWaitMs: { count: number; p50: number | null; p95: number | null; max: number };
};

/** Recent queue waits kept for percentiles. */
const QUEUE_WAIT_SAMPLES = 4096;

export type SessionInfo = {
  id: string;
  createdAt: number;
  lastActiveAt: number;
  busy: boolean;
  alive: boolean;
  /** Memory charged to it: its kernel's PSS at the last sample, or its reservation before that. */
  bytes: number;
};

/**
 * The local Sandbox: IPython kernels forked from a warm zygote, each under
 * bubblewrap with its own uid, no network and a private scratch tmpfs.
 * Create with {@link createLocalSandbox}; always `close()` it.
 */
export class KernelSandbox implements Sandbox {
  private zygote: ZygoteProcess | undefined;
  private zygoteStarting: Promise<ZygoteProcess> | undefined;
  private readonly pool: KernelProcess[] = [];
  private poolStarting = 0;
  private readonly sessions = new Map<string, KernelSession>();
  /** Ids whose kernel is being prepared; they count against maxSessions. */
  private readonly opening = new Set<string>();
  /** Ids waiting for room (session limit or memory budget); they do not count yet. */
  private readonly waiting = new Set<string>();
  /** Woken whenever room may have appeared: a session went idle or closed, or memory was sampled. */
  private roomWaiters = new Set<() => void>();
  private readonly memory: MemoryAccountant;
  private readonly memoryTimer: NodeJS.Timeout;
  private readonly queueWaits: number[] = [];
  private queueWaitCount = 0;
  private queueWaitMax = 0;
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private kernelCounter = 0;
  private closed = false;
  private readonly sweepTimer: NodeJS.Timeout;
  private readonly closeListeners: ((id: string, reason: SessionCloseReason) => void)[] = [];
  private readonly stats = {
    kernelsStarted: 0,
    sessionsExpired: 0,
    sessionsEvicted: 0,
    sessionsRejected: 0,
    budgetEvictions: 0,
    budgetRefusals: 0,
    budgetKills: 0,
    executions: { ok: 0, error: 0, timeout: 0, killed: 0, dead: 0 },
  };

  private constructor(
    readonly options: ResolvedSandboxOptions,
    private readonly runDir: string,
    private readonly ownsRunDir: boolean,
    private readonly log: (line: string) => void,
    private readonly sharedPaths: ReadOnlyBind[],
  ) {
    const sweepEveryMs = Math.min(Math.max(Math.floor(options.sessionTtlMs / 4), 50), 10_000);
    this.sweepTimer = setInterval(() => void this.expireIdleSessions(), sweepEveryMs);
    this.sweepTimer.unref();
    const budgetBytes =
      options.memoryBudgetMb === undefined
        ? defaultMemoryBudgetBytes(machineMemoryBytes(), process.memoryUsage().rss)
        : options.memoryBudgetMb * 2 ** 20;
    this.memory = new MemoryAccountant(budgetBytes);
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
      await sandbox.ensureZygote();
    } catch (error) {
      await sandbox.close();
      throw error;
    }
    sandbox.fillPool();
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
    const reservation = newSessionReservation(infos);
    this.waiting.add(id);
    let evicted: KernelSession[];
    try {
      evicted = await this.admit(id, reservation);
    } finally {
      this.waiting.delete(id);
    }
    let kernel: KernelProcess | undefined;
    try {
      await Promise.all(evicted.map((session) => session.close('evicted')));
      kernel = await this.acquireKernel();
      await loadImages(kernel, images);
    } catch (error) {
      this.memory.release(id);
      await kernel?.dispose();
      throw error;
    } finally {
      this.opening.delete(id);
      this.wakeRoomWaiters();
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
        const fresh = await this.acquireKernel();
        await loadImages(fresh, images);
        return fresh;
      },
      onClosed: (closed, reason) => {
        if (this.sessions.get(closed.id) === closed) this.sessions.delete(closed.id);
        if (!this.sessions.has(closed.id) && !this.opening.has(closed.id)) this.memory.release(closed.id);
        this.wakeRoomWaiters();
        if (reason !== 'closed') for (const listener of this.closeListeners) listener(closed.id, reason);
      },
      onExecuted: (status, _durationMs, queueWaitMs) => {
        this.stats.executions[status] += 1;
        this.recordQueueWait(queueWaitMs);
      },
      onIdle: () => this.wakeRoomWaiters(),
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
    if (this.sessions.has(id) || this.opening.has(id) || this.waiting.has(id)) {
      throw new UserError('session-exists', `Sandbox session ${id} already exists`);
    }
  }

  /**
   * Waits (up to sessionWaitMs) until a new session fits under both the session limit and the
   * memory budget, evicting idle sessions LRU to make room; then counts it as opening and charges
   * its reservation, before any await, so concurrent opens see the room as taken. Refuses with
   * 503-class errors when the wait runs out (or at once when the session could never fit).
   */
  private async admit(id: string, reservation: number): Promise<KernelSession[]> {
    const deadline = Date.now() + this.options.sessionWaitMs;
    for (;;) {
      if (this.closed) throw new DeepeyesError('sandbox-closed', 'The sandbox is closed (shutting down)');
      const sessionsOver = this.sessions.size + this.opening.size + 1 - this.options.maxSessions;
      const bytesOver = this.memory.usedBytes() + reservation - this.memory.budgetBytes;
      const candidates = this.listSessions();
      const victims = chooseEvictions(candidates, { sessions: sessionsOver, bytes: bytesOver });
      if (victims !== null) {
        this.opening.add(id);
        this.memory.reserve(id, reservation);
        // The first ones meet the session limit; any beyond them were evicted for memory.
        const forSessions = Math.max(0, sessionsOver);
        return [
          ...this.detach(victims.slice(0, forSessions), `the session limit (${this.options.maxSessions})`),
          ...this.detach(victims.slice(forSessions), `the memory budget (${this.budgetMb()} MB)`, true),
        ];
      }
      const neverFits = reservation > this.memory.budgetBytes - this.memory.snapshot().baseBytes;
      const remaining = deadline - Date.now();
      if (remaining <= 0 || neverFits) {
        this.stats.sessionsRejected += 1;
        if (chooseEvictions(candidates, { sessions: sessionsOver, bytes: 0 }) === null) {
          throw new DeepeyesError(
            'sandbox-full',
            `The sandbox has ${this.options.maxSessions} open sessions and every one is running a call`,
            { hint: 'Retry when a call finishes, close finished sessions, or raise --max-sessions.' },
          );
        }
        this.stats.budgetRefusals += 1;
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

  private wakeRoomWaiters(): void {
    if (this.roomWaiters.size === 0) return;
    const waiters = this.roomWaiters;
    this.roomWaiters = new Set();
    for (const wake of waiters) wake();
  }

  /**
   * Measures every kernel's memory (see memory-accountant.ts), then keeps the sandbox within
   * its budget: idle sessions evicted LRU first, and, when the running kernels alone hold more,
   * the largest of them killed. Runs every memorySampleMs; callable at any time.
   */
  async sampleMemory(): Promise<void> {
    const zygote = this.zygote;
    if (this.closed || !zygote?.running) return;
    const sessions = [...this.sessions.values()];
    await this.memory.sample(
      zygote,
      sessions,
      [...this.pool],
      (session) => this.sessions.get(session.id) === session,
    );
    if (this.closed) return;
    const over = this.memory.usedBytes() - this.memory.budgetBytes;
    if (over > 0) {
      // Reservations of sessions still opening are not held yet: running kernels are not killed for them.
      const measured = this.listSessions().filter((session) => !this.opening.has(session.id));
      const relief = planBudgetRelief(measured, over - this.openingReservations());
      const budget = `the memory budget (${this.budgetMb()} MB)`;
      for (const id of relief.kill) {
        this.stats.budgetKills += 1;
        this.log(`sandbox: killed the kernel of busy session ${id}, the largest, to stay within ${budget}`);
        this.sessions
          .get(id)
          ?.killKernel(
            `the sandbox's total memory budget (${this.budgetMb()} MB) was exceeded while every other session was running too, and this kernel held the most`,
          );
      }
      await Promise.all(this.detach(relief.evict, budget, true).map((session) => session.close('evicted')));
    }
    this.wakeRoomWaiters();
  }

  private openingReservations(): number {
    let total = 0;
    for (const id of this.opening) total += this.memory.chargeOf(id);
    return total;
  }

  private budgetMb(): number {
    return Math.round(this.memory.budgetBytes / 2 ** 20);
  }

  private recordQueueWait(ms: number): void {
    this.queueWaits[this.queueWaitCount % QUEUE_WAIT_SAMPLES] = ms;
    this.queueWaitCount += 1;
    if (ms > this.queueWaitMax) this.queueWaitMax = ms;
  }

  private queueWaitSummary(): SandboxStats['queueWaitMs'] {
    const sorted = [...this.queueWaits].sort((a, b) => a - b);
    const at = (q: number) => (sorted.length === 0 ? null : sorted[Math.floor(q * (sorted.length - 1))]!);
    return { count: this.queueWaitCount, p50: at(0.5), p95: at(0.95), max: this.queueWaitMax };
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
      this.stats.sessionsEvicted += 1;
      if (forBudget) this.stats.budgetEvictions += 1;
      this.log(`sandbox: evicted idle session ${id} (least recently used) to stay within ${cause}`);
      detached.push(session);
    }
    return detached;
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
    return {
      isolation: this.options.isolation,
      sessions: this.sessions.size,
      maxSessions: this.options.maxSessions,
      poolReady: this.pool.length,
      kernelsStarted: this.stats.kernelsStarted,
      executions: { ...this.stats.executions },
      sessionsExpired: this.stats.sessionsExpired,
      sessionsEvicted: this.stats.sessionsEvicted,
      sessionsRejected: this.stats.sessionsRejected,
      memory: {
        budgetBytes: this.memory.budgetBytes,
        usedBytes: this.memory.usedBytes(),
        baseBytes: this.memory.snapshot().baseBytes,
        sampledAt: this.memory.snapshot().sampledAt,
        evictions: this.stats.budgetEvictions,
        refusals: this.stats.budgetRefusals,
        kills: this.stats.budgetKills,
      },
      queueWaitMs: this.queueWaitSummary(),
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
    clearInterval(this.memoryTimer);
    this.wakeRoomWaiters();
    const sessions = [...this.sessions.values()];
    await Promise.all([
      ...sessions.map((session) => session.close('shutdown')),
      ...this.pool.map((kernel) => kernel.dispose()),
    ]);
    this.pool.length = 0;
    this.sessions.clear();
    this.zygote?.stop();
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

  private async acquireKernel(): Promise<KernelProcess> {
    let kernel = this.pool.shift();
    while (kernel && !kernel.alive) {
      await kernel.dispose();
      kernel = this.pool.shift();
    }
    // Refill a moment later: forking a kernel right now would compete for the CPU with
    // the session being opened and its first call.
    setTimeout(() => this.fillPool(), REFILL_DELAY_MS).unref();
    return kernel ?? (await this.startKernel());
  }

  private async startKernel(): Promise<KernelProcess> {
    const zygote = await this.ensureZygote();
    const slot = this.freeSlots.shift() ?? this.nextSlot++;
    this.kernelCounter += 1;
    try {
      const kernel = await KernelProcess.start({
        zygote,
        runDir: this.runDir,
        isolation: this.options.isolation,
        key: `k${this.kernelCounter}`,
        uid: this.options.uidBase + slot,
        scratchMb: this.options.scratchLimitMb,
        limits: {
          memoryBytes: this.options.memoryLimitMb * 1024 * 1024,
          cpuSeconds: this.options.cpuTimeLimitSeconds,
          fileBytes: this.options.fileSizeLimitMb * 1024 * 1024,
          openFiles: 1024,
          processes: this.options.processLimit,
          outputChars: this.options.maxOutputChars,
        },
        readyTimeoutMs: this.options.kernelStartTimeoutMs,
        useLane: this.options.kernelLane,
      });
      this.stats.kernelsStarted += 1;
      // A uid is reused only once its previous kernel has exited, so limits never add up.
      void kernel.exited.then(() => this.freeSlots.push(slot));
      return kernel;
    } catch (error) {
      this.freeSlots.push(slot);
      throw error;
    }
  }

  /** Starts pool kernels until the pool (counting kernels on their way) is full, a few at once. */
  private fillPool(): void {
    while (
      !this.closed &&
      this.pool.length + this.poolStarting < this.options.poolSize &&
      this.poolStarting < POOL_STARTS_IN_PARALLEL
    ) {
      this.poolStarting += 1;
      void this.startPoolKernel();
    }
  }

  private async startPoolKernel(): Promise<void> {
    let failed = false;
    try {
      const kernel = await this.startKernel();
      if (this.closed) await kernel.dispose();
      else this.pool.push(kernel);
    } catch (error) {
      this.log(`sandbox: could not start a pool kernel: ${String(error)}`);
      failed = true;
    }
    // After a failure, wait before trying again so a broken setup does not spin.
    if (failed) await new Promise((resolve) => setTimeout(resolve, 1000));
    this.poolStarting -= 1;
    this.fillPool();
  }

  private async ensureZygote(): Promise<ZygoteProcess> {
    if (this.zygote?.running) return this.zygote;
    if (this.closed) throw new DeepeyesError('sandbox-closed', 'The sandbox is closed');
    this.zygoteStarting ??= ZygoteProcess.start({
      pythonPath: this.options.pythonPath,
      isolation: this.options.isolation,
      bwrapPath: this.options.bwrapPath,
      runDir: this.runDir,
      startTimeoutMs: this.options.zygoteStartTimeoutMs,
      sharedPaths: this.sharedPaths,
      log: this.log,
    }).finally(() => {
      this.zygoteStarting = undefined;
    });
    this.zygote = await this.zygoteStarting;
    return this.zygote;
  }
}

/** Starts a local kernel sandbox (zygote + warm pool). See {@link kernelSandboxOptionsSchema} for options. */
export function createLocalSandbox(
  options: KernelSandboxOptions = {},
  log?: (line: string) => void,
): Promise<KernelSandbox> {
  return KernelSandbox.create(options, log);
}

function checkHost(options: ResolvedSandboxOptions): void {
  if (!existsSync(options.pythonPath)) {
    throw new UserError('python-missing', `Python not found at ${options.pythonPath}`, {
      hint: 'Install python3-ipykernel and the image libraries, or pass pythonPath.',
    });
  }
  if (!options.isolation) return;
  if (!existsSync(options.bwrapPath)) {
    throw new UserError(
      'bwrap-missing',
      `bubblewrap not found at ${options.bwrapPath}; refusing to run code unisolated`,
      {
        hint: 'Install bubblewrap (apt-get install bubblewrap), or pass --unsafe-no-isolation if you accept running model code without a sandbox.',
      },
    );
  }
  if (process.getuid?.() !== 0) {
    throw new UserError(
      'isolation-needs-root',
      'Per-kernel isolation (own uid, mounts and network namespace) needs root',
      {
        hint: 'Run the sandbox server as root (e.g. in its container), or pass --unsafe-no-isolation.',
      },
    );
  }
}
