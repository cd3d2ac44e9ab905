import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRewardScorer, type RewardScorer } from '../reward/compute-reward.js';
import type { RewardRequest, RewardResult } from '../reward/reward-result.js';
import { buildRewardServer } from './reward-server.js';

const item = {
  trajectory: '<think>It says STOP.</think>\n<answer>STOP</answer><|im_end|>',
  ground_truth: 'stop',
  data_source: 'perception',
  extra_info: { question: 'What is written on the sign?' },
};

const apps: Array<{ close(): Promise<unknown> }> = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

function server(scorer: RewardScorer = createRewardScorer(), options = {}) {
  const app = buildRewardServer({ scorer }, options);
  apps.push(app);
  return app;
}

/**
 * A scorer that holds every item until released, to fill the queue. `started(n)` resolves once `n`
 * items have reached the scorer (so are running, not queued): the signal to wait on.
 */
function heldScorer() {
  const waiting: Array<() => void> = [];
  let arrivals = 0;
  const arrivalWaiters: Array<{ count: number; arrived: () => void }> = [];
  const inner = createRewardScorer();
  const scorer: RewardScorer = {
    profile: 'deepeyesv2',
    async score(request: RewardRequest): Promise<RewardResult> {
      const held = new Promise<void>((resolve) => waiting.push(resolve));
      arrivals += 1;
      for (const waiter of arrivalWaiters) if (arrivals >= waiter.count) waiter.arrived();
      await held;
      return inner.score(request);
    },
  };
  const started = (count: number) =>
    new Promise<void>((resolve) => {
      if (arrivals >= count) resolve();
      else arrivalWaiters.push({ count, arrived: resolve });
    });
  return { scorer, waiting, started };
}

describe('reward server', () => {
  it('scores one item sent with verl’s field names', async () => {
    const response = await server().inject({ method: 'POST', url: '/reward', payload: item });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      score: 1,
      acc: 1,
      format: 1,
      decidedBy: 'rule:short-answer',
      answer: 'STOP',
    });
  });

  it('scores a batch in order, with a per-item error in place of a bad item', async () => {
    const payload = {
      items: [item, { ...item, ground_truth: 'GO' }, { ...item, data_source: 'nope' }, { nothing: 1 }],
    };
    const response = await server().inject({ method: 'POST', url: '/reward', payload });
    expect(response.statusCode).toBe(200);
    const { results } = response.json();
    expect(results).toHaveLength(4);
    expect(results[0]).toMatchObject({ score: 1 });
    expect(results[1]).toMatchObject({ score: 0.2, acc: 0 });
    expect(results[2]).toMatchObject({ index: 2, error: { code: 'reward-data-source-unknown' } });
    expect(results[3]).toMatchObject({ index: 3, error: { code: 'invalid-request' } });
  });

  it('accepts a bare JSON array as a batch', async () => {
    const response = await server().inject({ method: 'POST', url: '/reward', payload: [item, item] });
    expect(response.json().results).toHaveLength(2);
  });

  it('answers 400 with a clear message for an invalid single item', async () => {
    const response = await server().inject({ method: 'POST', url: '/reward', payload: { trajectory: 'x' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.code).toBe('invalid-request');
    expect(response.json().error.message).toMatch(/groundTruth/);
  });

  it('answers 503 with Retry-After when the queue is full, and recovers', async () => {
    const { scorer, waiting, started } = heldScorer();
    const app = server(scorer, { maxConcurrent: 1, maxQueued: 1, retryAfterSeconds: 3 });
    const first = app.inject({ method: 'POST', url: '/reward', payload: item });
    await started(1);
    const second = app.inject({ method: 'POST', url: '/reward', payload: item });
    // Nothing signals "queued" from inside the server: wait (bounded) until /health says so.
    await vi.waitFor(
      async () =>
        expect((await app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({
          active: 1,
          queued: 1,
        }),
      { timeout: 5_000, interval: 5 },
    );
    const rejected = await app.inject({ method: 'POST', url: '/reward', payload: item });
    expect(rejected.statusCode).toBe(503);
    expect(rejected.headers['retry-after']).toBe('3');
    expect(rejected.json().error).toMatchObject({ code: 'queue-full' });
    const tooBig = await app.inject({ method: 'POST', url: '/reward', payload: [item, item] });
    expect(tooBig.statusCode).toBe(503);
    waiting.shift()!();
    await started(2);
    waiting.shift()!();
    expect((await first).statusCode).toBe(200);
    expect((await second).statusCode).toBe(200);
  });
});

describe('reward server errors', () => {
  /** A scorer that fails the way a bug would: a plain Error with internal detail in its text. */
  const brokenScorer: RewardScorer = {
    profile: 'deepeyesv2',
    async score() {
      throw new Error('ECONNRESET at /srv/secret/path.ts:12 token=abc');
    },
  };

  it('answers an internal failure 500 without its raw message, in the shared shape', async () => {
    const response = await server(brokenScorer).inject({ method: 'POST', url: '/reward', payload: item });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toEqual({
      error: {
        code: 'internal',
        message: 'Internal reward server error',
        hint: 'The server log has the details; please report it.',
      },
    });
    expect(response.body).not.toMatch(/secret|ECONNRESET/);
  });

  it('hides the raw message of an internal failure inside a batch too', async () => {
    const response = await server(brokenScorer).inject({ method: 'POST', url: '/reward', payload: [item] });
    expect(response.statusCode).toBe(200);
    expect(response.json().results[0]).toMatchObject({ index: 0, error: { code: 'internal' } });
    expect(response.body).not.toMatch(/secret/);
  });

  it('answers an unknown route 404 and bad JSON 400, both as JSON in the shared shape', async () => {
    const app = server();
    const missing = await app.inject({ method: 'GET', url: '/nope?x=1' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toEqual({ error: { code: 'not-found', message: 'No route GET /nope' } });
    const bad = await app.inject({
      method: 'POST',
      url: '/reward',
      headers: { 'content-type': 'application/json' },
      payload: '{"trajectory": ',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('bad-request');
  });
});
