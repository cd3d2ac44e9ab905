import { DeepeyesError } from '../errors.js';
import type { Sandbox } from '../sandbox/sandbox.js';

export type SessionGateStats = {
  open: number;
  waiting: number;
  waitsTotal: number;
  waitMsTotal: number;
  timeouts: number;
};

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
 * share a sandbox sized for the machine; the waits show in the env server's metrics.
 */
export function gateSandbox(
  inner: Sandbox,
  maxSessions: number,
  maxWaitMs = 600_000,
  now: () => number = () => performance.now(),
): GatedSandbox {
  let open = 0;
  const queue: Array<{ grant: () => void; timer: NodeJS.Timeout }> = [];
  const stats = { waitsTotal: 0, waitMsTotal: 0, timeouts: 0 };
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
        const session = await inner.openSession(options);
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
