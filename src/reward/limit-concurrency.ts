import { DeepeyesError } from '../errors.js';

/** Thrown when a limiter's queue is full: the caller should back off and retry later. */
export class QueueFullError extends DeepeyesError {
  constructor(readonly maxQueued: number) {
    super('queue-full', `Too many requests are waiting (queue limit ${maxQueued}).`, {
      hint: 'Retry later, send smaller batches, or raise the queue limit.',
    });
  }
}

export type ConcurrencyLimit = {
  /** Runs `task` when a slot is free; rejects with QueueFullError when `slots` more would overflow the queue. */
  run<T>(task: () => Promise<T>): Promise<T>;
  /** True when `count` more tasks would fit (running + waiting) right now. */
  hasRoomFor(count: number): boolean;
  readonly active: number;
  readonly queued: number;
};

/**
 * At most `maxConcurrent` tasks at once, at most `maxQueued` waiting (default unbounded), first come
 * first served.
 */
export function limitConcurrency(
  maxConcurrent: number,
  maxQueued = Number.POSITIVE_INFINITY,
): ConcurrencyLimit {
  if (!(maxConcurrent >= 1)) throw new RangeError(`maxConcurrent must be at least 1, got ${maxConcurrent}`);
  let active = 0;
  const waiting: Array<() => void> = [];

  function release(): void {
    active--;
    const next = waiting.shift();
    if (next) {
      active++;
      next();
    }
  }

  return {
    get active() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
    hasRoomFor(count) {
      const freeSlots = Math.max(0, maxConcurrent - active);
      return Math.max(0, count - freeSlots) + waiting.length <= maxQueued;
    },
    async run(task) {
      if (active < maxConcurrent) {
        active++;
      } else {
        if (waiting.length >= maxQueued) throw new QueueFullError(maxQueued);
        await new Promise<void>((resolve) => waiting.push(resolve));
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}
