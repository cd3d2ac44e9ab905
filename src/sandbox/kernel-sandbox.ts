import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeepeyesError, InputFormatError, UserError } from '../errors.js';
import { chooseEvictions } from './eviction.js';
import { executeRequestContent } from './jupyter-message.js';
import { KernelProcess } from './kernel-process.js';
import { KernelSession } from './kernel-session.js';
import { type ReadOnlyBind, resolveReadOnlyPaths } from './ro-paths.js';
import type {
  Execution,
  OpenSessionOptions,
  Sandbox,
  SandboxSession,
  SessionCloseReason,
  SessionImage,
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
};

export type SessionInfo = {
  id: string;
  createdAt: number;
  lastActiveAt: number;
  busy: boolean;
  alive: boolean;
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
    if (this.sessions.has(id) || this.opening.has(id)) {
      throw new UserError('session-exists', `Sandbox session ${id} already exists`);
    }
    // At the limit, the least recently used idle session makes room; refused only when
    // every session is in the middle of a call.
    const over = this.sessions.size + this.opening.size + 1 - this.options.maxSessions;
    const victims = chooseEvictions(this.listSessions(), { sessions: over, bytes: 0 });
    if (victims === null) {
      this.stats.sessionsRejected += 1;
      throw new DeepeyesError(
        'sandbox-full',
        `The sandbox has ${this.options.maxSessions} open sessions and every one is running a call`,
        { hint: 'Retry when a call finishes, close finished sessions, or raise --max-sessions.' },
      );
    }
    const images = options.images ?? [];
    // Reserve the id before awaiting so concurrent opens respect maxSessions.
    this.opening.add(id);
    let kernel: KernelProcess | undefined;
    try {
      await this.evict(victims, `the session limit (${this.options.maxSessions})`);
      kernel = await this.acquireKernel();
      await loadImages(kernel, images);
    } catch (error) {
      await kernel?.dispose();
      throw error;
    } finally {
      this.opening.delete(id);
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
        if (reason !== 'closed') for (const listener of this.closeListeners) listener(closed.id, reason);
      },
      onExecuted: (status) => {
        this.stats.executions[status] += 1;
      },
    });
    if (this.closed) {
      await session.close();
      throw new DeepeyesError('sandbox-closed', 'The sandbox closed while the session was opening');
    }
    this.sessions.set(id, session);
    return session;
  }

  onSessionClosed(listener: (id: string, reason: SessionCloseReason) => void): void {
    this.closeListeners.push(listener);
  }

  /**
   * Closes these idle sessions to make room, counted and logged. They leave the session
   * map at once, so concurrent opens count the room as taken.
   */
  private async evict(ids: string[], cause: string): Promise<void> {
    const closing: Promise<void>[] = [];
    for (const id of ids) {
      const session = this.sessions.get(id);
      if (!session) continue;
      this.sessions.delete(id);
      this.stats.sessionsEvicted += 1;
      this.log(`sandbox: evicted idle session ${id} (least recently used) to stay within ${cause}`);
      closing.push(session.close('evicted'));
    }
    await Promise.all(closing);
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
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.sweepTimer);
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

async function loadImages(kernel: KernelProcess, images: SessionImage[]): Promise<void> {
  if (images.length === 0) return;
  const paths = images.map((image, index) => {
    const name = `image_${index + 1}`;
    kernel.writeInput(name, image.bytes);
    return `${kernel.inputsDirInside}/${name}`;
  });
  const { msgId, reply } = kernel.connection.request(
    'shell',
    'execute_request',
    executeRequestContent(`__deepeyes_load_images(${JSON.stringify(paths)})`, { silent: true }),
  );
  try {
    const message = await reply;
    const content = message.content as { status?: string; ename?: string; evalue?: string };
    if (content.status !== 'ok') {
      throw new InputFormatError(
        'image-unreadable',
        `An input image could not be opened: ${content.ename}: ${content.evalue}`,
        {
          hint: 'Send PNG, JPEG, WebP or another format PIL opens.',
        },
      );
    }
  } finally {
    kernel.connection.release(msgId);
  }
}
