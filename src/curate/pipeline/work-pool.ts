import { setMaxListeners } from 'node:events';
import { UserError } from '../../errors.js';

export type PoolOptions<T> = {
  tasks: readonly T[];
  /** Tasks in flight at once. */
  concurrency: number;
  run(task: T, signal: AbortSignal): Promise<void>;
  /** Called after each task that threw a non-fatal error (it stays undone; a rerun retries it). */
  onTaskError?(task: T, error: unknown): void;
  signal?: AbortSignal;
};

export type PoolResult = { completed: number; failed: number; stopped: boolean };

/**
 * Runs tasks with bounded concurrency, pulling from one queue so a slow task never idles the others.
 * A `UserError` (configuration every task would hit) stops the pool and is rethrown; any other error
 * is reported per task and the pool goes on. An abort stops taking tasks; in-flight ones see the signal.
 */
export async function runPool<T>(options: PoolOptions<T>): Promise<PoolResult> {
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort);
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  setMaxListeners(Math.max(10, options.concurrency * 8), controller.signal);
  let next = 0;
  let completed = 0;
  let failed = 0;
  let fatal: unknown;
  const worker = async () => {
    while (next < options.tasks.length && !controller.signal.aborted) {
      const task = options.tasks[next++]!;
      try {
        await options.run(task, controller.signal);
        completed++;
      } catch (error) {
        if (controller.signal.aborted) return;
        if (error instanceof UserError) {
          fatal ??= error;
          controller.abort(error);
          return;
        }
        failed++;
        options.onTaskError?.(task, error);
      }
    }
  };
  try {
    const width = Math.max(1, Math.min(options.concurrency, options.tasks.length));
    await Promise.all(Array.from({ length: width }, worker));
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (fatal) throw fatal;
  return { completed, failed, stopped: controller.signal.aborted };
}
