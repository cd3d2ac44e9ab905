import { DeepeyesError, UserError } from '../errors.js';
import type { Sandbox } from '../sandbox/sandbox.js';

export type SessionGateStats = {
  open: number;
  waiting: number;
  waitsTotal: number;
  waitMsTotal: number;
  timeouts: number;
  /** Session opens the sandbox failed and the gate tried again (a kernel start timed out, say). */
  openRetries: number;
  /** Session opens that failed on every attempt: the episode saw the error. */
  openFailures: number;
  /** The last error an open attempt failed with, retried or not; null if none ever failed. */
  lastOpenError: string | null;
};

/** How the gate retries a failed session open. */
export type OpenRetry = {
  /** Attempts in all, the first included. Default 3. */
  attempts?: number;
  /** Wait before the first retry, doubled before each next one. Default 500 ms. */
  delayMs?: number;
};

/**
 * Whether a failed open is worth another attempt. Opening a session runs none of the model's
 * code (a kernel is started or taken from the pool, the input images are loaded), so any failure
 * of the machinery under load (kernel start timeout, a kernel dying during start-up, the sandbox
 * full or over its memory budget, a connection reset) can be retried with no visible effect. Not
 * retried: the request's own faults (an unreadable image, a duplicate id) and a sandbox shutting down.
 */
export function isTransientOpenError(error: unknown): boolean {
  if (error instanceof UserError) return false;
  return !(error instanceof DeepeyesError && error.code === 'sandbox-closed');
}

/** The session gate as the env server sees it: the sandbox, its stats, and when it last made anyone wait. */
export type GatedSandbox = Sandbox & {
  stats(): SessionGateStats;
  /**
   * When openers last waited in line: `now` while some do, the moment the line last emptied after
   * that, undefined if nobody ever waited. The episode store does not count time the service
   * itself was saturated as a client's idle time.
   */
  lastSaturatedAt(): number | undefined;
};

/**
 * Back-pressure on the sandbox: at most `maxSessions` sessions open at once, later openers wait in
 * line (up to `maxWaitMs`) instead of failing with `sandbox-full`. Thousands of episodes can then
 * share a sandbox sized for the machine; the waits show in the env server's metrics. An open that
 * fails for a transient reason ({@link isTransientOpenError}) is tried again (`retry`) before the
 * episode sees it: under load a kernel start can time out, and a code cell that never ran must not
 * cost the model an error observation.
 */
export function gateSandbox(
  inner: Sandbox,
  maxSessions: number,
  maxWaitMs = 600_000,
  now: () => number = () => performance.now(),
  retry: OpenRetry = {},
): GatedSandbox {
  let open = 0;
  const queue: Array<{ grant: () => void; timer: NodeJS.Timeout }> = [];
  const stats = {
    waitsTotal: 0,
    waitMsTotal: 0,
    timeouts: 0,
    openRetries: 0,
    openFailures: 0,
    lastOpenError: null as string | null,
  };
  const attempts = Math.max(1, retry.attempts ?? 3);
  const firstDelayMs = retry.delayMs ?? 500;

  /** Opens a session on the inner sandbox, again after a transient failure (the slot stays held). */
  const openInner: Sandbox['openSession'] = async (options) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await inner.openSession(options);
      } catch (error) {
        stats.lastOpenError = error instanceof Error ? error.message : String(error);
        if (attempt >= attempts || !isTransientOpenError(error)) {
          stats.openFailures += 1;
          throw error;
        }
        stats.openRetries += 1;
        await new Promise((resolve) => setTimeout(resolve, firstDelayMs * 2 ** (attempt - 1)));
      }
    }
  };
  let lineEmptiedAt: number | undefined;
  const noteIfEmptied = () => {
    if (queue.length === 0) lineEmptiedAt = now();
  };

  const release = () => {
    const next = queue.shift();
    if (next) {
      clearTimeout(next.timer);
      noteIfEmptied();
      next.grant();
    } else open -= 1;
  };

  const acquire = () =>
    new Promise<void>((resolve, reject) => {
      if (open < maxSessions) {
        open += 1;
        resolve();
        return;
      }
      const since = now();
      stats.waitsTotal += 1;
      const entry = {
        grant: () => {
          stats.waitMsTotal += now() - since;
          resolve();
        },
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(entry), 1);
          noteIfEmptied();
          stats.timeouts += 1;
          reject(
            new DeepeyesError('sandbox-full', `no sandbox session became free within ${maxWaitMs} ms`, {
              hint: 'Raise --max-sandbox-sessions or lower the number of concurrent episodes.',
            }),
          );
        }, maxWaitMs),
      };
      queue.push(entry);
    });

  return {
    async openSession(options) {
      await acquire();
      try {
        const session = await openInner(options);
        let closed = false;
        return {
          id: session.id,
          execute: (code, executeOptions) => session.execute(code, executeOptions),
          async close() {
            if (closed) return;
            closed = true;
            try {
              await session.close();
            } finally {
              release();
            }
          },
        };
      } catch (error) {
        release();
        throw error;
      }
    },
    close: () => inner.close(),
    stats: () => ({ open, waiting: queue.length, ...stats }),
    lastSaturatedAt: () => (queue.length > 0 ? now() : lineEmptiedAt),
  };
}
