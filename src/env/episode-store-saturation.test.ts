/**
 * Idle expiry while the service itself is saturated (issue 16's 4,096-episode run): a client whose
 * next request is queued behind its own connection pool, while the server's kernels are all taken,
 * must not lose its episode; an abandoned episode still expires. Time is an injected clock; the
 * sweeps are called by hand (no sleeps, no sweep timer).
 */
import sharp from 'sharp';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Execution, Sandbox } from '../sandbox/sandbox.js';
import { EpisodeError } from './episode.js';
import { type CreateEpisodeRequest, createEpisodeSchema, stepSchema } from './episode-spec.js';
import { EpisodeStore } from './episode-store.js';
import { type GatedSandbox, gateSandbox } from './session-gate.js';

const TTL = 600_000;
const CODE = stepSchema.parse({ text: '<code>\n```python\nprint("hi")\n```\n</code>' });

/** A stand-in sandbox (ours, for the gate): sessions open at once, code prints a fixed line. */
function instantSandbox(): Sandbox & { closed: () => number } {
  let closed = 0;
  return {
    async openSession() {
      return {
        id: 'instant',
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
    closed: () => closed,
  };
}

let request: CreateEpisodeRequest;
beforeAll(async () => {
  const picture = (
    await sharp({ create: { width: 56, height: 56, channels: 3, background: '#333' } })
      .png()
      .toBuffer()
  ).toString('base64');
  request = createEpisodeSchema.parse({ images: [picture], question: 'q', options: { mode: 'code' } });
});

let store: EpisodeStore | undefined;
afterEach(async () => store?.closeAll());

/** One kernel behind the gate, a manual clock shared by the gate, the episodes and the store. */
function setUp(options: { abandonAfterMs?: number } = {}) {
  const clock = { t: 1_000 };
  const now = () => clock.t;
  const inner = instantSandbox();
  const gate: GatedSandbox = gateSandbox(inner, 1, 10 * TTL, now);
  store = new EpisodeStore(
    { sandbox: gate, searchTools: {}, scorers: {}, now },
    { idleTtlMs: TTL, sweepIntervalMs: 3_600_000, lastSaturatedAt: gate.lastSaturatedAt, ...options },
  );
  return { clock, gate, inner, store };
}

describe('EpisodeStore idle expiry under saturation (injected clock)', () => {
  it('does not expire an episode while the kernel gate has a line, then expires it a TTL after the line empties', async () => {
    const { clock, gate, store } = setUp();
    const holder = (await store.create(request)).episode;
    const waiter = (await store.create(request)).episode;
    // Its next request is "queued in the client": this episode sends nothing while the server is saturated.
    const queuedInClient = (await store.create(request)).episode;
    expect(gate.lastSaturatedAt()).toBeUndefined();

    await holder.step(CODE); // takes the only kernel
    const waiting = waiter.step(CODE); // waits in the gate's line
    expect(gate.stats().waiting).toBe(1);

    clock.t += 2 * TTL;
    expect(gate.lastSaturatedAt()).toBe(clock.t);
    expect(await store.sweep()).toBe(0);
    expect(store.get(queuedInClient.id)).toBe(queuedInClient);
    expect(store.get(holder.id)).toBe(holder);

    // The line empties (the holder is deleted); from then on the normal TTL runs again.
    await store.close(holder.id);
    await waiting;
    const emptiedAt = clock.t;
    expect(gate.stats().waiting).toBe(0);
    expect(gate.lastSaturatedAt()).toBe(emptiedAt);

    clock.t = emptiedAt + TTL; // exactly the TTL: not yet
    expect(await store.sweep()).toBe(0);
    clock.t = emptiedAt + TTL + 1;
    // The waiter was active when its step ended (emptiedAt), so both are past the TTL now.
    expect(await store.sweep()).toBe(2);
    expect(() => store.get(queuedInClient.id)).toThrow(EpisodeError);
    expect(() => store.get(waiter.id)).toThrow(EpisodeError);
    expect(store.counters.expired).toBe(2);
    expect(gate.stats().open).toBe(0);
  });

  it('expires a truly abandoned episode on the normal TTL when the server was never saturated', async () => {
    const { clock, store } = setUp();
    const abandoned = (await store.create(request)).episode;
    const active = (await store.create(request)).episode;
    clock.t += TTL - 10;
    await active.step(CODE);
    clock.t += 11;
    expect(await store.sweep()).toBe(1);
    expect(() => store.get(abandoned.id)).toThrow(EpisodeError);
    expect(store.get(active.id)).toBe(active);
  });

  it('still closes an abandoned kernel holder after abandonAfterMs, however long the line lasts', async () => {
    const { clock, gate, inner, store } = setUp({ abandonAfterMs: 3 * TTL });
    const abandonedHolder = (await store.create(request)).episode;
    const waiter = (await store.create(request)).episode;
    await abandonedHolder.step(CODE);
    const waiting = waiter.step(CODE);

    clock.t += 3 * TTL; // exactly the limit: kept
    expect(await store.sweep()).toBe(0);
    clock.t += 1;
    expect(await store.sweep()).toBe(1);
    expect(() => store.get(abandonedHolder.id)).toThrow(EpisodeError);
    expect(inner.closed()).toBe(1);
    // Its kernel went to the waiter, which then finishes its step.
    const result = await waiting;
    expect(result.observation?.text).toContain('ran');
    expect(gate.stats()).toMatchObject({ open: 1, waiting: 0, waitsTotal: 1 });
    expect(store.get(waiter.id)).toBe(waiter);
  });
});
