/**
 * Every flag `env serve --help` shows takes effect on the real executable: /health echoes the effective
 * settings, and the flags whose effect is visible from outside are shown by it (the judge called with its
 * model and key, isolation off seen from a kernel, the episode capacity answering 429).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { ensureDemoIndexes } from '../../src/search/demo-indexes.js';
import { killStarted, startServer } from './helpers/deepeyes-process.js';

const dir = mkdtempSync(join(tmpdir(), 'deepeyes-env-flags-'));
afterAll(killStarted);

const serve = (args: string[]) =>
  startServer(['env', 'serve', '--port', '0', ...args], /serving on (http:\/\/127\.0\.0\.1:\d+)/);

async function call(url: string, method: string, body?: unknown) {
  const response = await fetch(url, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the answers' JSON has several shapes; each assertion reads its own.
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const judge = await startFakeOpenAIServer({ models: ['judge-a', 'judge-b'], reply: () => '\\boxed{Yes}' });
afterAll(() => judge.close());

const picture = (
  await sharp({ create: { width: 96, height: 64, channels: 3, background: '#3a6' } })
    .png()
    .toBuffer()
).toString('base64');

describe('deepeyes env serve flags', () => {
  it('applies the episode, sandbox, search, judge and isolation flags', async () => {
    const indexes = await ensureDemoIndexes(join(dir, 'cache'));
    const searchCache = join(dir, 'search-cache.sqlite');
    const { url, signal } = await serve([
      '--host',
      '127.0.0.1',
      '--max-episodes',
      '2',
      '--idle-ttl',
      '9',
      '--max-sandbox-sessions',
      '3',
      '--sandbox-wait',
      '7',
      '--pool-size',
      '0',
      '--search-provider',
      'local',
      '--image-search-provider',
      'local',
      '--search-index',
      indexes.textIndex,
      '--image-index',
      indexes.imageIndex,
      '--search-cache',
      searchCache,
      '--search-cache-mode',
      'replay',
      '--judge-url',
      judge.url,
      '--judge-model',
      'judge-b',
      '--judge-api-key',
      'sk-env-flags',
      '--no-sympy',
      '--unsafe-no-isolation',
    ]);
    const health = await call(`${url}/health`, 'GET');
    expect(health.json).toMatchObject({
      capacity: 2,
      settings: {
        maxEpisodes: 2,
        idleTtlSeconds: 9,
        maxSandboxSessions: 3,
        sandboxWaitSeconds: 7,
        poolSize: 0,
        isolation: false,
        searchProvider: 'local',
        searchCacheMode: 'replay',
        searchCache,
        judge: expect.stringContaining('judge-b'),
        judgeApiKey: 'set',
        sympy: false,
      },
    });
    expect(health.json.settings.search).toContain(indexes.textIndex);
    expect(health.json.settings.search).toContain(indexes.imageIndex);
    expect(JSON.stringify(health.json)).not.toContain('sk-env-flags');

    // --unsafe-no-isolation: the kernel sees the host's files.
    const episode = await call(`${url}/episodes`, 'POST', {
      images: [picture],
      question: 'What colour is the card?',
      ground_truth: 'green',
      data_source: 'perception',
    });
    expect(episode.status).toBe(201);
    const id = episode.json.episode_id as string;
    const probe = `import os\nprint(os.path.exists(${JSON.stringify(join(process.cwd(), 'package.json'))}))`;
    const step = await call(`${url}/episodes/${id}/step`, 'POST', {
      text: `<think>look</think>\n<code>\n\`\`\`python\n${probe}\n\`\`\`\n</code>`,
    });
    expect(step.json.observation.text).toContain('True');

    // --max-episodes: the third open episode is refused.
    expect((await call(`${url}/episodes`, 'POST', { images: [picture], question: 'q' })).status).toBe(201);
    expect((await call(`${url}/episodes`, 'POST', { images: [picture], question: 'q' })).status).toBe(429);

    // --judge-url / --judge-model / --judge-api-key: the finish's reward asks that judge, with that model and key.
    const before = judge.requests.length;
    const finish = await call(`${url}/episodes/${id}/finish`, 'POST', {
      response: '<think>it is green</think>\n<answer>a green card</answer>',
    });
    expect(finish.status).toBe(200);
    expect(judge.requests.slice(before).map((request) => (request as { model?: string }).model)).toContain(
      'judge-b',
    );
    signal('SIGTERM');
  }, 120_000);

  it('replays an MMSearch-R1 image-search cache given with --image-search-cache-file', async () => {
    const cacheFile = join(dir, 'image-cache.json');
    writeFileSync(
      cacheFile,
      JSON.stringify({ fvqa_train_1: { tool_returned_web_title: ['A title'], cached_images_path: [null] } }),
    );
    const { url, signal } = await serve([
      '--pool-size',
      '0',
      '--no-sympy',
      '--image-search-cache-file',
      cacheFile,
    ]);
    const health = await call(`${url}/health`, 'GET');
    expect(health.json.settings.imageSearchCacheFile).toBe(cacheFile);
    expect(health.json.settings.search).toContain(`MMSearch-R1 cache replay of ${cacheFile} (1 items)`);
    signal('SIGTERM');
  }, 60_000);
});
