/**
 * Idle expiry never closes an episode in the middle of a step. Here a step waits for a kernel
 * (a sandbox whose session starts only when the test says) for many idle TTLs while the store's
 * own sweep timer runs; an idle episode beside it expires, the waiting one survives and finishes.
 */
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { Execution, Sandbox } from '../sandbox/sandbox.js';
import { EpisodeError } from './episode.js';
import { createEpisodeSchema, stepSchema } from './episode-spec.js';
import { EpisodeStore } from './episode-store.js';
import { gateSandbox } from './session-gate.js';

const TTL_MS = 20;

/** A stand-in sandbox: opening a session waits for `startKernel()`; code prints a fixed line. */
function heldSandbox() {
  let startKernel = () => {};
  const started = new Promise<void>((resolve) => {
    startKernel = resolve;
  });
  let closed = 0;
  const sandbox: Sandbox = {
    async openSession() {
      await started;
      return {
        id: 'held',
        async execute(): Promise<Execution> {
          return {
            stdout: 'ran\n',
            stderr: '',
            images: [],
            status: 'ok',
            executionCount: 1,
            durationMs: 1,
            truncated: false,
          };
        },
        async close() {
          closed += 1;
        },
      };
    },
    async close() {},
  };
  return { sandbox, startKernel, closedSessions: () => closed };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !condition(); waited += 5) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

let store: EpisodeStore | undefined;
afterEach(async () => store?.closeAll());

describe('EpisodeStore idle expiry', () => {
  it('never expires an episode whose step waits for a kernel longer than the idle TTL', async () => {
    const held = heldSandbox();
    const sandbox = gateSandbox(held.sandbox, 1, 60_000);
    store = new EpisodeStore(
      { sandbox, searchTools: {}, scorers: {} },
      { idleTtlMs: TTL_MS, sweepIntervalMs: 5 },
    );
    const picture = (
      await sharp({ create: { width: 56, height: 56, channels: 3, background: '#333' } })
        .png()
        .toBuffer()
    ).toString('base64');
    const request = createEpisodeSchema.parse({
      images: [picture],
      question: 'q',
      options: { mode: 'code' },
    });
    const idle = (await store.create(request)).episode;
    const busy = (await store.create(request)).episode;

    const stepping = busy.step(stepSchema.parse({ text: '<code>\n```python\nprint("hi")\n```\n</code>' }));
    expect(busy.isBusy).toBe(true);
    // The sweep timer has run and closed the idle episode: expiry is live, not switched off.
    await until(() => store!.counters.expired >= 1, 'the idle episode to expire');
    expect(() => store!.get(idle.id)).toThrow(EpisodeError);
    // Many more TTLs and sweeps pass while the step still waits for its kernel.
    const waitStart = performance.now();
    await until(() => performance.now() - waitStart > 5 * TTL_MS, 'five idle TTLs');
    expect(busy.isBusy).toBe(true);
    expect(store.get(busy.id)).toBe(busy);
    expect(store.counters.expired).toBe(1);

    held.startKernel();
    const result = await stepping;
    expect(result.done).toBe(false);
    expect(result.observation?.text).toContain('ran');
    expect(store.get(busy.id)).toBe(busy);
    expect(busy.isDone).toBe(false);

    // Once idle again, it expires like any other, and its kernel is closed.
    await until(() => store!.counters.expired >= 2, 'the episode to expire once idle');
    expect(() => store!.get(busy.id)).toThrow(EpisodeError);
    expect(held.closedSessions()).toBe(1);
    expect(sandbox.stats().open).toBe(0);
  });
});
