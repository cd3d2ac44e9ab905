/**
 * Idle expiry never closes an episode in the middle of a step. Here a step waits for a kernel
 * (a sandbox whose session starts only when the test says) for many idle TTLs of a manual clock, swept
 * after each advance; an idle episode beside it expires, the waiting one survives and finishes.
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

let store: EpisodeStore | undefined;
afterEach(async () => store?.closeAll());

describe('EpisodeStore idle expiry', () => {
  it('never expires an episode whose step waits for a kernel longer than the idle TTL', async () => {
    const held = heldSandbox();
    const sandbox = gateSandbox(held.sandbox, 1, 60_000);
    // A manual clock, swept by the test (the store's own timer is set far beyond the test).
    let clock = 0;
    store = new EpisodeStore(
      { sandbox, searchTools: {}, scorers: {}, now: () => clock },
      { idleTtlMs: TTL_MS, sweepIntervalMs: 3_600_000 },
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
    // Past one TTL the sweep closes the idle episode: expiry is live, not switched off.
    clock += 2 * TTL_MS;
    await store.sweep();
    expect(store.counters.expired).toBe(1);
    expect(() => store!.get(idle.id)).toThrow(EpisodeError);
    // Many more TTLs and sweeps pass while the step still waits for its kernel.
    for (let sweep = 0; sweep < 50; sweep += 1) {
      clock += TTL_MS;
      await store.sweep();
    }
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
    clock += 2 * TTL_MS;
    await store.sweep();
    expect(store.counters.expired).toBe(2);
    expect(() => store!.get(busy.id)).toThrow(EpisodeError);
    expect(held.closedSessions()).toBe(1);
    expect(sandbox.stats().open).toBe(0);
  });
});
