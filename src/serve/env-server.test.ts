import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { beforeAll, describe, expect } from 'vitest';
import { gateSandbox } from '../env/session-gate.js';
import { createRewardScorer } from '../reward/compute-reward.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import type { SearchProvider } from '../search/search-provider.js';
import { buildEnvServer } from './env-server.js';

let app: FastifyInstance;
let picture: string;
const searchQueries: string[] = [];
const search: SearchProvider = {
  name: 'scripted',
  async search(query) {
    searchQueries.push(query);
    return [{ title: 'Tower', link: 'https://example.org/t', snippet: '330 m' }];
  },
};

beforeAll(async () => {
  picture = (
    await sharp({ create: { width: 280, height: 196, channels: 3, background: '#c33' } })
      .png()
      .toBuffer()
  ).toString('base64');
});

// The fixture owns the kernels and the server (closed with the file); helpers reach them through the handles.
const it = sandboxTest({ poolSize: 1 }).extend(
  'server',
  { scope: 'file', auto: true },
  async ({ sandbox: kernels }, { onCleanup }) => {
    const sandbox = gateSandbox(kernels, 2, 30_000);
    ({ app } = buildEnvServer(
      {
        sandbox,
        searchTools: { scripted: { text: search } },
        defaultSearch: 'scripted',
        scorers: { deepeyesv2: createRewardScorer({ profile: 'deepeyesv2' }) },
      },
      { capacity: 3, idleTtlMs: 60_000, sandboxStats: sandbox.stats },
    ));
    onCleanup(() => app.close());
    return app;
  },
);

async function create(payload: Record<string, unknown> = {}) {
  return app.inject({
    method: 'POST',
    url: '/episodes',
    payload: {
      images: [picture],
      question: 'What colour is the card?',
      ground_truth: 'red',
      data_source: 'perception',
      ...payload,
    },
  });
}
const step = (id: string, text: string, extra: Record<string, unknown> = {}) =>
  app.inject({ method: 'POST', url: `/episodes/${id}/step`, payload: { text, ...extra } });

describe('env serve episodes', () => {
  it('runs an episode: prompt, a code step with an image, a search step, an answer, the reward', async () => {
    const created = await create();
    expect(created.statusCode).toBe(201);
    const { episode_id: id, prompt } = created.json();
    expect(prompt.images).toHaveLength(1);
    expect(prompt.images[0]).toMatchObject({ mime_type: 'image/png', width: 280, height: 196 });
    expect(prompt.raw.startsWith('<|im_start|>system\n')).toBe(true);
    expect(prompt.raw.endsWith('What colour is the card?')).toBe(false);
    expect(prompt.raw).toContain(
      '<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>What colour is the card?',
    );
    expect(prompt.raw.endsWith('<|im_end|>\n<|im_start|>assistant\n')).toBe(true);
    expect(prompt.messages.at(-1).content[0]).toEqual({ type: 'image', image_index: 0 });
    expect(prompt.sampling).toEqual({
      stop: ['</code>', '</tool_call>'],
      include_stop_str_in_output: true,
      bad_words: ['<|endoftext|>', '<size>', '<|im_start|>'],
      max_tokens: 8192,
    });

    const code =
      '<think>Crop it.</think>\n<code>\n```python\nimport matplotlib.pyplot as plt\nprint(image_1.size)\nplt.imshow(image_1.crop((0, 0, 100, 50)))\nplt.show()\n```\n</code>';
    const first = (await step(id, code)).json();
    expect(first).toMatchObject({ turn: 0, action: 'code', done: false, error: null });
    expect(first.observation.text).toMatch(/^Code execution result:\nstdout:\n```\n\(280, 196\)\n\n```/);
    expect(first.observation.images).toHaveLength(1);
    expect(first.observation.raw).toBe(
      `<|im_end|>\n<|im_start|>user\n${first.observation.text.replace('<image>', '<|vision_start|><|image_pad|><|vision_end|>')}<|im_end|>\n<|im_start|>assistant\n<think>`,
    );
    expect(first.observation.content.at(-1)).toEqual({ type: 'image', image_index: 0 });
    expect(first.timings.sandbox_ms).toBeGreaterThan(0);

    const searchTurn =
      'Search.</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "card"}}\n</tool_call>';
    const second = (await step(id, searchTurn)).json();
    expect(second.observation.text).toContain("A Google search for 'card' found 1 results");
    expect(searchQueries).toContain('card');

    const third = (await step(id, 'Red.</think>\n<answer>red</answer>')).json();
    expect(third).toMatchObject({ done: true, done_reason: 'answer', answer: 'red', observation: null });
    const summary = await app.inject({ method: 'GET', url: `/episodes/${id}` });
    expect(summary.statusCode).toBe(200);
    expect(summary.json()).toEqual({
      episode_id: id,
      profile: 'deepeyesv2',
      turns: 3,
      done: true,
      done_reason: 'answer',
      answer: 'red',
    });

    const again = await step(id, '<answer>x</answer>');
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('episode-done');

    const finished = await app.inject({ method: 'POST', url: `/episodes/${id}/finish`, payload: {} });
    expect(finished.statusCode).toBe(200);
    expect(finished.json()).toMatchObject({ score: 1, acc: 1, format: 1, answer: 'red' });
    expect(finished.json().decided_by).toMatch(/^rule:/);
    expect((await app.inject({ method: 'GET', url: `/episodes/${id}` })).statusCode).toBe(404);
  });

  it('ends on a malformed turn as the profile says, never a 500', async () => {
    const { episode_id: id } = (await create()).json();
    const result = await step(id, '<think>hmm</think>\n<code>\nprint(1)\n</code>');
    expect(result.statusCode).toBe(200);
    expect(result.json()).toMatchObject({ done: true, done_reason: 'code-without-python-fence' });
    const bad = (await create()).json().episode_id;
    const toolError = (
      await step(bad, '<tool_call>\n{"name": "search", "arguments": {}}\n</tool_call>')
    ).json();
    expect(toolError.done).toBe(false);
    expect(toolError.action).toBe('tool-error');
    expect(toolError.observation.text).toMatch(/^Error/);
    const cut = (await step(bad, '<think>long', { finish_reason: 'length' })).json();
    expect(cut).toMatchObject({ done: true, done_reason: 'length' });
    await app.inject({ method: 'DELETE', url: `/episodes/${id}` });
    await app.inject({ method: 'DELETE', url: `/episodes/${bad}` });
  });

  it('ends at the turn cap without running the last turn', async () => {
    const { episode_id: id } = (await create({ options: { max_turns: 2 } })).json();
    const searchTurn = '<tool_call>\n{"name": "search", "arguments": {"query": "q"}}\n</tool_call>';
    expect((await step(id, searchTurn)).json().done).toBe(false);
    const before = searchQueries.length;
    expect((await step(id, searchTurn)).json()).toMatchObject({ done: true, done_reason: 'max-turns' });
    expect(searchQueries.length).toBe(before);
    await app.inject({ method: 'DELETE', url: `/episodes/${id}` });
  });
});

describe('env serve errors', () => {
  it('names what is wrong with a bad request', async () => {
    const missing = await app.inject({ method: 'POST', url: '/episodes', payload: { question: 'q' } });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error.message).toContain('images');
    const notImage = await create({ images: [Buffer.from('not a picture').toString('base64')] });
    expect(notImage.statusCode).toBe(400);
    expect(notImage.json().error).toMatchObject({ code: 'image-unreadable' });
    expect(notImage.json().error.message).toContain('images[0]');
    const unknownProvider = await create({ options: { search_provider: 'google' } });
    expect(unknownProvider.statusCode).toBe(400);
    expect(unknownProvider.json().error.code).toBe('unknown-search-provider');
    const badProfile = await create({ profile: 'vlmevalkit' });
    expect(badProfile.statusCode).toBe(400);
    const unknown = await step('nope', 'x');
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.code).toBe('unknown-episode');
    for (const [method, url] of [
      ['GET', '/episodes/nope'],
      ['POST', '/episodes/nope/finish'],
    ] as const) {
      const answer = await app.inject({ method, url, ...(method === 'POST' ? { payload: {} } : {}) });
      expect(answer.statusCode).toBe(404);
      expect(answer.json().error.code).toBe('unknown-episode');
    }
    const open = (await create()).json().episode_id;
    const badStep = await app.inject({
      method: 'POST',
      url: `/episodes/${open}/step`,
      payload: { turn: 'x' },
    });
    expect(badStep.statusCode).toBe(400);
    expect(badStep.json().error.message).toContain('text');
    const notJson = await app.inject({ method: 'POST', url: `/episodes/${open}/step`, payload: 'text' });
    expect(notJson.statusCode).toBe(415);
    expect(notJson.json().error.code).toBe('bad-request');
    await app.inject({ method: 'DELETE', url: `/episodes/${open}` });
    expect((await app.inject({ method: 'DELETE', url: '/episodes/nope' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/nowhere' })).statusCode).toBe(404);
  });

  it('asks for what finish needs and refuses a profile without a scorer', async () => {
    const { episode_id: id } = (await create({ ground_truth: undefined })).json();
    const noTruth = await app.inject({
      method: 'POST',
      url: `/episodes/${id}/finish`,
      payload: { response: 'x' },
    });
    expect(noTruth.statusCode).toBe(400);
    expect(noTruth.json().error.code).toBe('ground-truth-missing');
    const scored = await app.inject({
      method: 'POST',
      url: `/episodes/${id}/finish`,
      payload: { response: '<think>t</think>\n<answer>blue</answer><|im_end|>', ground_truth: 'blue' },
    });
    expect(scored.json()).toMatchObject({ score: 1, acc: 1 });
    // This server has no autopep8 runner, which upstream-rl's code repair needs.
    const upstream = await create({ profile: 'upstream-rl' });
    expect(upstream.statusCode).toBe(503);
    expect(upstream.json().error.code).toBe('code-repair-unavailable');
  });
});

describe('env serve capacity', () => {
  // Its own server: the counts below are this test's alone, whatever the other tests did or left open.
  it('answers 429 with Retry-After when full, accepts again after a DELETE, and expires idle episodes', async ({
    sandbox: kernels,
  }) => {
    const sandbox = gateSandbox(kernels, 1, 30_000);
    const own = buildEnvServer(
      {
        sandbox,
        searchTools: { scripted: { text: search } },
        defaultSearch: 'scripted',
        scorers: { deepeyesv2: createRewardScorer({ profile: 'deepeyesv2' }) },
      },
      { capacity: 3, idleTtlMs: 60_000, sandboxStats: sandbox.stats },
    );
    try {
      const post = () =>
        own.app.inject({
          method: 'POST',
          url: '/episodes',
          payload: { images: [picture], question: 'q', ground_truth: 'red', data_source: 'perception' },
        });
      const ids: string[] = [];
      for (let index = 0; index < 3; index += 1) ids.push((await post()).json().episode_id);
      const full = await post();
      expect(full.statusCode).toBe(429);
      expect(full.headers['retry-after']).toBe('2');
      expect(full.json().error.code).toBe('env-full');
      await own.app.inject({ method: 'DELETE', url: `/episodes/${ids.pop()}` });
      ids.push((await post()).json().episode_id);
      // One step (a search: no kernel involved) so the step metrics have something to show.
      const stepped = await own.app.inject({
        method: 'POST',
        url: `/episodes/${ids[0]}/step`,
        payload: { text: '<tool_call>\n{"name": "search", "arguments": {"query": "q"}}\n</tool_call>' },
      });
      expect(stepped.json()).toMatchObject({ done: false, error: null });
      expect(await own.store.sweep(performance.now() + 120_000)).toBe(3);
      expect(own.store.size).toBe(0);
      const metrics = (await own.app.inject({ method: 'GET', url: '/metrics' })).json();
      expect(metrics.episodes).toMatchObject({
        open: 0,
        capacity: 3,
        created: 4,
        closed: 1,
        expired: 3,
        rejected: 1,
      });
      expect(metrics.steps.total).toBe(1);
      expect(metrics.step_latency_ms.count).toBe(1);
      expect(metrics.step_latency_ms.buckets.at(-1).count).toBe(1);
      expect(metrics.sandbox).toMatchObject({ open: 0, waiting: 0, timeouts: 0, openFailures: 0 });
      expect((await own.app.inject({ method: 'GET', url: '/health' })).json()).toMatchObject({
        status: 'ok',
        capacity: 3,
        episodes: 0,
      });
    } finally {
      await own.app.close();
    }
  });
});
