import { DeepeyesError } from '../errors.js';
import { BATCH_REQUEST_METADATA, readBatchedReply } from './batched-reply.js';
import { ExecutionCollector, type OutputLimits } from './execution-collector.js';
import { executeRequestContent } from './jupyter-message.js';
import type { KernelProcess } from './kernel-process.js';
import type { ExecuteOptions, Execution, SandboxSession, SessionCloseReason } from './sandbox.js';

export type KernelSessionDependencies = {
  outputLimits: OutputLimits;
  defaultTimeoutMs: number;
  interruptGraceMs: number;
  memoryLimitMb: number;
  /** A fresh kernel with this session's input images loaded (after a kill). */
  replaceKernel: () => Promise<KernelProcess>;
  /** Called once when the session ends, with why. */
  onClosed: (session: KernelSession, reason: SessionCloseReason) => void;
  /** Called after every call, with its status, its run time and how long it queued behind earlier calls. */
  onExecuted: (status: Execution['status'], durationMs: number, queueWaitMs: number) => void;
  /** Called when the session's last running or queued call ends (it may be evicted from then on). */
  onIdle?: () => void;
  now?: () => number;
};

/** How long a kernel whose connection broke may take to report its own exit before it is killed. */
const BROKEN_CONNECTION_GRACE_MS = 500;

type CallEnd = { kind: 'done'; replyStatus: string } | { kind: 'timeout' } | { kind: 'exit' };

/**
 * A SandboxSession over one kernel. Calls run one at a time in arrival order; a
 * call past its timeout is interrupted (state kept), and a kernel that ignores the
 * interrupt is killed and replaced (state lost). A kernel that dies ends the session.
 */
export class KernelSession implements SandboxSession {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private closeReason: SessionCloseReason | undefined;
  private deathNotice: string | undefined;
  private busyCount = 0;
  /**
   * True from creation until the current task's promise callbacks have run: the caller that
   * opened the session for a call (the v1 API opens on first call) gets to queue it before
   * anyone may evict the session as idle.
   */
  private claimed = true;
  /** How long the running call waited behind earlier calls of this session, in ms. */
  private queueWaitMs = 0;
  /**
   * Calls in flight that must hear if the current kernel exits. Each kernel gets one
   * subscription: a `.then` on its exit promise per call would stay attached to that
   * long-lived promise until the kernel ends, one more with every call.
   */
  private readonly exitWaiters = new Set<() => void>();
  readonly createdAt: number;
  lastActiveAt: number;

  constructor(
    readonly id: string,
    private kernel: KernelProcess,
    private readonly dependencies: KernelSessionDependencies,
  ) {
    this.createdAt = this.now();
    this.lastActiveAt = this.createdAt;
    this.watchExit(kernel);
    setImmediate(() => {
      this.claimed = false;
      if (this.busyCount === 0) this.dependencies.onIdle?.();
    });
  }

  /** Running or queued calls, or just opened for one: such a session is never evicted. */
  get busy(): boolean {
    return this.busyCount > 0 || this.claimed;
  }

  get alive(): boolean {
    return !this.closed && this.deathNotice === undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  execute(code: string, options: ExecuteOptions = {}): Promise<Execution> {
    if (this.closed) return Promise.reject(this.closedError());
    this.busyCount += 1;
    const enqueuedAt = performance.now();
    const run = this.queue.then(() => {
      this.queueWaitMs = performance.now() - enqueuedAt;
      return this.run(code, options.timeoutMs ?? this.dependencies.defaultTimeoutMs);
    });
    this.queue = run.catch(() => {});
    return run.finally(() => {
      this.busyCount -= 1;
      this.lastActiveAt = this.now();
      if (this.busyCount === 0) this.dependencies.onIdle?.();
    });
  }

  /** The current kernel's pid as the zygote sees it (see KernelProcess.pid). */
  get kernelPid(): number {
    return this.kernel.pid;
  }

  /**
   * Kills the kernel under a running call (the memory budget's last resort); the call answers
   * status `dead` with `reason` in its notice, and the session ends as a dead kernel's does.
   */
  killKernel(reason: string): void {
    this.kernel.kill(reason);
  }

  /** Why the session ended; undefined while it is open. */
  get closedBecause(): SessionCloseReason | undefined {
    return this.closeReason;
  }

  /**
   * Ends the kernel. A call running at that moment answers status `dead` with a notice
   * naming the reason (a shutdown says so, rather than blaming a limit).
   */
  async close(reason: SessionCloseReason = 'closed'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.closeReason = reason;
    await this.kernel.dispose();
    this.dependencies.onClosed(this, reason);
  }

  private closedError(): DeepeyesError {
    const why = this.closeReason === undefined ? 'closed' : CLOSED_BECAUSE[this.closeReason];
    return new DeepeyesError('session-closed', `Sandbox session ${this.id} is ${why}`, {
      hint: 'Open a new session; idle sessions close after the session TTL or to make room.',
    });
  }

  private async run(code: string, timeoutMs: number): Promise<Execution> {
    if (this.closed) throw this.closedError();
    const startedAt = performance.now();
    if (this.deathNotice !== undefined) return this.finish(deadExecution(this.deathNotice), startedAt);
    const kernel = this.kernel;
    const collector = new ExecutionCollector(this.dependencies.outputLimits);
    let idle: () => void = () => {};
    const idleSeen = new Promise<void>((resolve) => {
      idle = resolve;
    });
    const { msgId, reply } = kernel.connection.request(
      'shell',
      'execute_request',
      executeRequestContent(code),
      (message) => {
        collector.add(message.header.msg_type, message.content);
        if (message.header.msg_type === 'status' && isIdle(message.content)) idle();
      },
      BATCH_REQUEST_METADATA,
    );
    const done = reply.then(async (message): Promise<CallEnd> => {
      // A quick call's output rides in the reply; a long one streamed on IOPub first.
      const batch = readBatchedReply(message.metadata);
      if (batch.streamed) await idleSeen;
      for (const [msgType, output] of batch.outputs) collector.add(msgType, output);
      const content = message.content as {
        status?: unknown;
        execution_count?: unknown;
        ename?: unknown;
        evalue?: unknown;
      };
      if (typeof content.execution_count === 'number') collector.setExecutionCount(content.execution_count);
      if (content.status === 'error' && typeof content.ename === 'string') {
        collector.setErrorFromReply(content.ename, typeof content.evalue === 'string' ? content.evalue : '');
      }
      return { kind: 'done', replyStatus: typeof content.status === 'string' ? content.status : 'error' };
    });
    const exitWatch = this.waitForExit(kernel);
    const exited = exitWatch.ended;
    // A connection that breaks mid-call (the kernel is dying, or its code wrote into its
    // own sockets) can carry no answer any more. A dying kernel's exit, with its cause,
    // follows within moments; one still alive after that is ended.
    const answered = done.catch(async () => {
      const settle = timer(BROKEN_CONNECTION_GRACE_MS);
      const first = await Promise.race([exited, settle.ended]);
      settle.cancel();
      if (first.kind === 'exit') return first;
      kernel.kill();
      return exited;
    });
    const timeout = timer(timeoutMs);
    const grace = timer(this.dependencies.interruptGraceMs, false);
    try {
      let end = await Promise.race([answered, exited, timeout.ended]);
      if (end.kind === 'timeout') {
        kernel.connection.request('control', 'interrupt_request', {}).reply.catch(() => {});
        grace.start();
        end = await Promise.race([answered, exited, grace.ended]);
        if (end.kind === 'done') {
          const output = collector.finish({ includeTraceback: false });
          return this.finish(
            { ...output, status: 'timeout', stderr: appendLine(output.stderr, timeoutNotice(timeoutMs)) },
            startedAt,
          );
        }
        if (end.kind === 'timeout') return await this.killAndReplace(collector, timeoutMs, startedAt);
      }
      if (end.kind === 'exit') {
        this.deathNotice = this.closed
          ? stoppedNotice(this.closeReason ?? 'closed')
          : deathNotice(kernel.exitDescription ?? 'unknown cause', this.dependencies.memoryLimitMb);
        const output = collector.finish({ includeTraceback: true });
        return this.finish(
          {
            ...output,
            status: 'dead',
            stderr: appendLine(output.stderr, this.deathNotice),
            error: { name: 'KernelDied', value: this.deathNotice, traceback: '' },
          },
          startedAt,
        );
      }
      const output = collector.finish({ includeTraceback: true });
      const failed = end.replyStatus !== 'ok' || output.error !== undefined;
      return this.finish({ ...output, status: failed ? 'error' : 'ok' }, startedAt);
    } finally {
      timeout.cancel();
      grace.cancel();
      exitWatch.cancel();
      kernel.connection.release(msgId);
    }
  }

  private async killAndReplace(collector: ExecutionCollector, timeoutMs: number, startedAt: number) {
    const old = this.kernel;
    await old.dispose();
    const output = collector.finish({ includeTraceback: false });
    const notice = `TimeoutError: the code ran past its ${timeoutMs} ms timeout and did not stop when interrupted; the kernel was killed and replaced, so every variable is lost (input images are loaded again)`;
    try {
      this.kernel = await this.dependencies.replaceKernel();
      this.watchExit(this.kernel);
    } catch (error) {
      this.deathNotice = `KernelDied: the kernel was killed after a timeout and could not be replaced (${String(error)})`;
    }
    if (this.closed) await this.kernel.dispose();
    return this.finish({ ...output, status: 'killed', stderr: appendLine(output.stderr, notice) }, startedAt);
  }

  private watchExit(kernel: KernelProcess): void {
    void kernel.exited.then(() => {
      if (this.kernel !== kernel) return;
      for (const wake of this.exitWaiters) wake();
    });
  }

  /** Ends with `exit` when `kernel` exits; `cancel` drops the waiter when the call is over. */
  private waitForExit(kernel: KernelProcess): { ended: Promise<CallEnd>; cancel: () => void } {
    let wake: () => void = () => {};
    const ended = new Promise<CallEnd>((resolve) => {
      wake = () => resolve({ kind: 'exit' });
    });
    if (kernel.alive) this.exitWaiters.add(wake);
    else wake();
    return { ended, cancel: () => this.exitWaiters.delete(wake) };
  }

  private finish(
    output: Omit<Execution, 'durationMs' | 'executionCount'> & { executionCount?: number | undefined },
    startedAt: number,
  ): Execution {
    const durationMs = performance.now() - startedAt;
    const execution: Execution = { ...output, executionCount: output.executionCount ?? 0, durationMs };
    this.dependencies.onExecuted(execution.status, durationMs, this.queueWaitMs);
    return execution;
  }

  private now(): number {
    return (this.dependencies.now ?? Date.now)();
  }
}

function isIdle(content: unknown): boolean {
  return (content as { execution_state?: unknown } | null)?.execution_state === 'idle';
}

export const MAX_TIMER_MS = 2_147_483_647;

/** A cancellable timer, so finished calls leave no pending timeouts behind. */
function timer(ms: number, startNow = true) {
  let handle: NodeJS.Timeout | undefined;
  let fire: (end: CallEnd) => void = () => {};
  const ended = new Promise<CallEnd>((resolve) => {
    fire = resolve;
  });
  const start = () => {
    // Node fires a delay above 2^31-1 ms at once; callers validate, this is the last guard.
    handle = setTimeout(() => fire({ kind: 'timeout' }), Math.min(ms, MAX_TIMER_MS));
  };
  if (startNow) start();
  return { ended, start, cancel: () => clearTimeout(handle) };
}

function appendLine(text: string, line: string): string {
  return `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`;
}

export function timeoutNotice(timeoutMs: number): string {
  return `TimeoutError: execution interrupted after its ${timeoutMs} ms timeout; variables set before the interrupt are kept`;
}

const CLOSED_BECAUSE: Record<SessionCloseReason, string> = {
  closed: 'closed',
  evicted: 'closed: it was evicted while idle to make room for other sessions',
  expired: 'closed: it was idle longer than the session TTL',
  dead: 'closed: its kernel died',
  shutdown: 'closed: the sandbox server is shutting down',
};

/** A call cut short because its session was closed under it (not a limit, not a crash). */
function stoppedNotice(reason: SessionCloseReason): string {
  return reason === 'shutdown'
    ? 'ServerShuttingDown: the sandbox server is shutting down and stopped this call before it finished; the session is closed.'
    : 'SessionClosed: the session was closed while this call ran; its state is gone.';
}

function deathNotice(cause: string, memoryLimitMb: number): string {
  return `KernelDied: the Python kernel died (${cause}); this session's state is gone and the session is closed to further code. A kernel dies when it exceeds a limit (memory ${memoryLimitMb} MB, processes, CPU time) or exits on its own.`;
}

function deadExecution(notice: string): Omit<Execution, 'durationMs' | 'executionCount'> {
  return {
    stdout: '',
    stderr: `${notice}\n`,
    images: [],
    status: 'dead',
    truncated: false,
    error: { name: 'KernelDied', value: notice, traceback: '' },
  };
}
