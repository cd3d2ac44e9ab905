import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync, lstatSync, readlinkSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DeepeyesError } from '../errors.js';
import { buildBwrapArgs, NEEDED_ETC_PATHS } from './bwrap-args.js';
import { childPids, namespacePids } from './process-memory.js';

/** Directory holding zygote.py, next to this module. */
export const PYTHON_CODE_DIR = fileURLToPath(new URL('./python/', import.meta.url));

export type ZygoteOptions = {
  pythonPath: string;
  /** Run the zygote under bubblewrap; false only with an explicit unsafe opt-in. */
  isolation: boolean;
  bwrapPath: string;
  /** Host directory shared with the sandbox (bound at /sandbox when isolated). */
  runDir: string;
  /** How long the zygote may take to import the libraries, in ms. */
  startTimeoutMs: number;
  /** Host folders shown read-only at their own path (isolated mode; see ro-paths.ts). */
  sharedPaths?: { source: string; target: string }[];
  /** Receives the zygote's own stderr lines (Python warnings, crashes). */
  log?: (line: string) => void;
};

/** What the kernel child needs to set itself up, as the zygote sees the file system. */
export type SpawnRequest = {
  key: string;
  uid: number;
  scratchMb: number;
  /** Input image directory (read-only for the kernel). */
  inputs: string;
  /** Socket directory. */
  ipc: string;
  /** Scratch directory; used only without isolation (isolated kernels get a private tmpfs). */
  scratch: string;
  connection: Record<string, unknown>;
  limits: {
    memoryBytes?: number;
    cpuSeconds?: number;
    fileBytes?: number;
    openFiles?: number;
    processes?: number;
    /** Characters per stream per call the kernel sends at most (one more than the client keeps). */
    outputChars?: number;
  };
};

export type KernelExit = { code: number | null; signal: number | null };

const eventSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('ready'), isolated: z.boolean(), pid: z.number().optional() }),
  z.object({ event: z.literal('spawned'), key: z.string(), pid: z.number() }),
  z.object({
    event: z.literal('exit'),
    key: z.string(),
    pid: z.number(),
    code: z.number().nullable(),
    signal: z.number().nullable(),
  }),
  z.object({ event: z.literal('failed'), key: z.string().nullable(), message: z.string() }),
]);

type Waiter = { resolve: (pid: number) => void; reject: (error: Error) => void };

/**
 * The long-lived Python process that has imported numpy, PIL, matplotlib, cv2,
 * sympy, scipy and IPython once and forks a kernel (python/sandbox_kernel.py) per request.
 */
export class ZygoteProcess {
  private readonly spawnWaiters = new Map<string, Waiter>();
  private readonly exitListeners = new Map<string, (exit: KernelExit) => void>();
  private readyResolve: (() => void) | undefined;
  private stopped = false;
  /** The zygote's pid as it sees itself (in its own PID namespace when isolated). */
  private ownPid: number | undefined;
  private hostPid: number | undefined;
  /** Set when the zygote process ends; every kernel dies with it. */
  readonly ended: Promise<void>;

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly isolated: boolean,
  ) {
    this.ended = new Promise((resolve) => child.once('exit', () => resolve()));
    void this.ended.then(() => this.onEnded());
  }

  static async start(options: ZygoteOptions): Promise<ZygoteProcess> {
    const env = {
      PATH: '/usr/bin:/bin',
      LANG: 'C.UTF-8',
      MPLCONFIGDIR: options.isolation ? '/tmp/matplotlib' : `${options.runDir}/matplotlib`,
      HOME: options.isolation ? '/tmp' : options.runDir,
      DEEPEYES_ISOLATED: options.isolation ? '1' : '0',
      // Kernels run several threads; one malloc arena per thread would keep more private pages per kernel.
      MALLOC_ARENA_MAX: '2',
      // Blocks up to 32 MiB (glibc's maximum) come from the heap, and the heap is not trimmed
      // while a call runs: an 8.5 MB init cell's transient copies then reuse the pages the
      // previous copy freed instead of each mapping (and faulting in) fresh ones, which cost
      // 64k page faults per init cell at 30-90 us each on the VMs measured. The kernel gives
      // the free heap back once the call is answered (release_free_heap in sandbox_kernel.py),
      // so idle sessions do not keep the transients.
      MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20),
      MALLOC_TRIM_THRESHOLD_: String(1024 * 2 ** 20),
    };
    const [command, args] = options.isolation
      ? [options.bwrapPath, buildBwrapArgs(hostLayout(options))]
      : [options.pythonPath, ['-I', '-s', `${PYTHON_CODE_DIR}zygote.py`]];
    // Its own process group: a Ctrl-C or a group-wide signal meant for the server must not
    // kill the kernels under calls the server is still draining. It cannot outlive the
    // server: bwrap --die-with-parent, and unisolated it exits when its stdin closes.
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const zygote = new ZygoteProcess(child, options.isolation);
    const ready = new Promise<void>((resolve) => {
      zygote.readyResolve = resolve;
    });
    const stderrLines: string[] = [];
    createInterface({ input: child.stderr }).on('line', (line) => {
      stderrLines.push(line);
      if (stderrLines.length > 40) stderrLines.shift();
      options.log?.(line);
    });
    createInterface({ input: child.stdout }).on('line', (line) => zygote.onLine(line));
    child.stdin.on('error', () => {}); // a dead zygote is reported through `ended`
    const spawnError = new Promise<never>((_, reject) => child.once('error', reject));
    const ended = zygote.ended.then(() => {
      throw new DeepeyesError('zygote-failed', `The sandbox zygote exited during start-up`, {
        hint: stderrLines.slice(-15).join('\n') || undefined,
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DeepeyesError('zygote-start-timeout', 'The sandbox zygote did not start in time')),
        options.startTimeoutMs,
      );
    });
    try {
      await Promise.race([ready, spawnError, ended, timeout]);
    } catch (error) {
      zygote.stop();
      throw error;
    } finally {
      clearTimeout(timer);
    }
    return zygote;
  }

  get running(): boolean {
    return !this.stopped && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Forks a kernel; resolves with its pid (in the zygote's pid namespace) once forked. */
  spawnKernel(request: SpawnRequest, onExit: (exit: KernelExit) => void): Promise<number> {
    if (!this.running)
      return Promise.reject(new DeepeyesError('zygote-stopped', 'The sandbox zygote is not running'));
    this.exitListeners.set(request.key, onExit);
    return new Promise<number>((resolve, reject) => {
      this.spawnWaiters.set(request.key, { resolve, reject });
      this.child.stdin.write(`${JSON.stringify({ op: 'spawn', ...request })}\n`);
    });
  }

  /**
   * Host pids of the zygote's children by the pid `spawnKernel` reported for them: each
   * kernel, or, isolated, the helper whose PID namespace holds the kernel and its children.
   * Read from /proc's NSpid, since an isolated zygote sees only its own namespace's pids.
   */
  async childHostPids(): Promise<Map<number, number>> {
    const byOwnPid = new Map<number, number>();
    const zygote = await this.zygoteHostPid();
    if (zygote === undefined) return byOwnPid;
    for (const host of await childPids(zygote)) {
      const inZygote = this.isolated ? (await namespacePids(host))[1] : host;
      if (inZygote !== undefined) byOwnPid.set(inZygote, host);
    }
    return byOwnPid;
  }

  /** Host pid of the zygote's Python process (under bubblewrap's two processes when isolated). */
  async zygoteHostPid(): Promise<number | undefined> {
    if (this.hostPid !== undefined || !this.running) return this.hostPid;
    const outer = this.child.pid;
    if (outer === undefined) return undefined;
    if (!this.isolated) {
      this.hostPid = outer;
      return outer;
    }
    let frontier = [outer];
    for (let depth = 0; depth < 4 && frontier.length > 0; depth += 1) {
      const next: number[] = [];
      for (const pid of frontier) {
        const pids = await namespacePids(pid);
        if (pids.length === 2 && pids[1] === this.ownPid) {
          this.hostPid = pid;
          return pid;
        }
        next.push(...(await childPids(pid)));
      }
      frontier = next;
    }
    return undefined;
  }

  /** SIGKILLs a kernel; its exit is reported to the listener given at spawn. */
  killKernel(key: string): void {
    if (this.running) this.child.stdin.write(`${JSON.stringify({ op: 'kill', key })}\n`);
  }

  stop(): void {
    this.stopped = true;
    this.child.stdin.end();
    this.child.kill('SIGKILL');
  }

  private onLine(line: string): void {
    let event: z.infer<typeof eventSchema>;
    try {
      event = eventSchema.parse(JSON.parse(line));
    } catch {
      return; // not ours: only the zygote writes this pipe, kernels cannot reach it
    }
    switch (event.event) {
      case 'ready':
        this.ownPid = event.pid;
        this.readyResolve?.();
        return;
      case 'spawned':
        this.spawnWaiters.get(event.key)?.resolve(event.pid);
        this.spawnWaiters.delete(event.key);
        return;
      case 'failed':
        if (event.key !== null) {
          this.spawnWaiters.get(event.key)?.reject(new DeepeyesError('kernel-spawn-failed', event.message));
          this.spawnWaiters.delete(event.key);
          this.exitListeners.delete(event.key);
        }
        return;
      case 'exit': {
        const listener = this.exitListeners.get(event.key);
        this.exitListeners.delete(event.key);
        listener?.({ code: event.code, signal: event.signal });
        return;
      }
    }
  }

  private onEnded(): void {
    const error = new DeepeyesError('zygote-stopped', 'The sandbox zygote exited');
    for (const waiter of this.spawnWaiters.values()) waiter.reject(error);
    this.spawnWaiters.clear();
    // Kernels die with the zygote (parent-death signal); tell every owner.
    for (const listener of this.exitListeners.values()) listener({ code: null, signal: 9 });
    this.exitListeners.clear();
  }
}

function hostLayout(options: ZygoteOptions) {
  const symlinks: Record<string, string> = {};
  const readOnlyPaths: string[] = [];
  for (const path of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    if (!existsSync(path)) continue;
    if (lstatSync(path).isSymbolicLink()) symlinks[path] = readlinkSync(path);
    else readOnlyPaths.push(path);
  }
  readOnlyPaths.push(...NEEDED_ETC_PATHS.filter((path) => existsSync(path)));
  return {
    runDir: options.runDir,
    codeDir: PYTHON_CODE_DIR,
    pythonPath: options.pythonPath,
    symlinks,
    readOnlyPaths,
    sharedPaths: options.sharedPaths ?? [],
  };
}
