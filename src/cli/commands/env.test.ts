/**
 * `deepeyes env serve` as the CLI starts it (real kernels, the bundled local search corpus, autopep8
 * for upstream-rl, rule-verifier rewards), over real HTTP: the wiring the HTTP tests of
 * src/serve/env-server.test.ts build by hand.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { serveEnv } from './env.js';

let server: Awaited<ReturnType<typeof serveEnv>>;
let picture: string;

beforeAll(async () => {
  server = await serveEnv(
    { port: 0, poolSize: 1, maxSandboxSessions: 2, maxEpisodes: 2, sympy: false },
    memoryIO(),
  );
  picture = (
    await sharp({ create: { width: 112, height: 84, channels: 3, background: '#c33' } })
      .png()
      .toBuffer()
  ).toString('base64');
}, 60_000);
afterAll(() => server?.close());

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, headers: response.headers, json: (await response.json()) as any };
}

const create = (profile = 'deepeyesv2') =>
  call('POST', '/episodes', {
    images: [picture],
    question: 'What colour is the card?',
    ground_truth: 'red',
    data_source: 'perception',
    profile,
  });

describe('deepeyes env serve (CLI wiring)', () => {
  it('serves both profiles with kernels, search, upstream code repair and rewards; 429 when full', async () => {
    expect((await call('GET', '/health')).json).toMatchObject({ status: 'ok', capacity: 2, episodes: 0 });
    const ours = (await create()).json.episode_id as string;
    const upstream = (await create('upstream-rl')).json.episode_id as string;
    const full = await create();
    expect(full.status).toBe(429);
    expect(full.headers.get('retry-after')).toBe('2');

    // upstream-rl repairs code with autopep8 as the release did (here: the indentation it fixes).
    const code = await call('POST', `/episodes/${upstream}/step`, {
      text: '<think>t</think>\n<code>\n```python\n  print(image_1.size)\n```\n</code>',
    });
    expect(code.json).toMatchObject({ done: false, error: null });
    expect(code.json.observation.text).toContain('(112, 84)');

    const search = await call('POST', `/episodes/${ours}/step`, {
      text: '<think>t</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "red"}}\n</tool_call>',
    });
    expect(search.json).toMatchObject({ done: false, error: null, action: 'search' });
    expect(search.json.observation.text).toMatch(
      /^<tool_response>\nA Google search for 'red' found \d+ results/,
    );
    const answered = await call('POST', `/episodes/${ours}/step`, {
      text: 'Red.</think>\n<answer>red</answer>',
    });
    expect(answered.json).toMatchObject({ done: true, done_reason: 'answer' });
    const reward = await call('POST', `/episodes/${ours}/finish`, {});
    expect(reward.json).toMatchObject({ score: 1, acc: 1, format: 1 });
    expect(reward.json.decided_by).toMatch(/^rule:/);
    await call('DELETE', `/episodes/${upstream}`);
    const metrics = (await call('GET', '/metrics')).json;
    expect(metrics.episodes).toMatchObject({ open: 0, capacity: 2, rejected: 1 });
    expect(metrics.sandbox).toMatchObject({ open: 0, waiting: 0, openFailures: 0 });
  }, 60_000);
});
