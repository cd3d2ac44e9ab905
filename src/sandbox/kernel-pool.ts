import { DeepeyesError } from '../errors.js';
import { KernelProcess } from './kernel-process.js';
import type { ReadOnlyBind } from './ro-paths.js';
import type { ResolvedSandboxOptions } from './sandbox-options.js';
import { ZygoteProcess } from './zygote-process.js';

const REFILL_DELAY_MS = 100;
/**
 * Pool kernels started at once. One at a time capped the refill at ~10 kernels/s (a start is
 * ~55 ms of wall time, mostly waiting on the fork and the first request); two keep both
 * cores busy and reach ~19/s, so a pool drained by many sessions opening together refills
 * before the next wave.
 */
const POOL_STARTS_IN_PARALLEL = 2;
/** After a pool kernel failed to start, the pool waits this long before trying again. */
const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * Where kernels come from: the zygote they are forked from (started on first need and again
 * if it dies) and a warm pool of ready kernels, refilled in the background, each with its own
 * uid (reused only once its previous kernel has exited, so limits never add up).
 */
export class KernelPool {
  private zygote: ZygoteProcess | undefined;
  private zygoteStarting: Promise<ZygoteProcess> | undefined;
  private readonly ready: KernelProcess[] = [];
  private starting = 0;
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  private kernelCounter = 0;
  private closed = false;
  /** Kernels started since the pool was created (pool and replacements). */
  kernelsStarted = 0;

  constructor(
    private readonly options: ResolvedSandboxOptions,
    private readonly runDir: string,
    private readonly sharedPaths: ReadOnlyBind[],
    private readonly log: (line: string) => void,
  ) {}

  /** Warm kernels waiting for a session. */
  get readyCount(): number {
    return this.ready.length;
  }

  /** The warm kernels (for memory sampling); do not change the array. */
  get readyKernels(): readonly KernelProcess[] {
    return this.ready;
  }

  /** The zygote, when it is running. */
  get runningZygote(): ZygoteProcess | undefined {
    return this.zygote?.running ? this.zygote : undefined;
  }

  /** A warm kernel if one is alive, else a freshly started one; the pool refills a moment later. */
  async acquire(): Promise<KernelProcess> {
    let kernel = this.ready.shift();
    while (kernel && !kernel.alive) {
      await kernel.dispose();
      kernel = this.ready.shift();
    }
    // Refill a moment later: forking a kernel right now would compete for the CPU with
    // the session being opened and its first call.
    setTimeout(() => this.fill(), REFILL_DELAY_MS).unref();
    return kernel ?? (await this.startKernel());
  }

  /** Starts pool kernels until the pool (counting kernels on their way) is full, a few at once. */
  fill(): void {
    while (
      !this.closed &&
      this.ready.length + this.starting < this.options.poolSize &&
      this.starting < POOL_STARTS_IN_PARALLEL
    ) {
      this.starting += 1;
      void this.startPoolKernel();
    }
  }

  async ensureZygote(): Promise<ZygoteProcess> {
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

  /** Disposes of the warm kernels and starts no more; kernels handed out are their owners'. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.ready.map((kernel) => kernel.dispose()));
    this.ready.length = 0;
  }

  /** Last, once every kernel forked from the zygote is gone (they are killed through it). */
  stopZygote(): void {
    this.zygote?.stop();
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
      this.kernelsStarted += 1;
      // A uid is reused only once its previous kernel has exited, so limits never add up.
      void kernel.exited.then(() => this.freeSlots.push(slot));
      return kernel;
    } catch (error) {
      this.freeSlots.push(slot);
      throw error;
    }
  }

  private async startPoolKernel(): Promise<void> {
    let failed = false;
    try {
      const kernel = await this.startKernel();
      if (this.closed) await kernel.dispose();
      else this.ready.push(kernel);
    } catch (error) {
      this.log(`sandbox: could not start a pool kernel: ${String(error)}`);
      failed = true;
    }
    // After a failure, wait before trying again so a broken setup does not spin.
    if (failed) await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_FAILURE_MS));
    this.starting -= 1;
    this.fill();
  }
}
