/**
 * env serve speed and scale, over real HTTP on 127.0.0.1 with real kernels (bubblewrap):
 *
 *   npx tsx bench/env/run.ts [--steps 300] [--episodes 4096] [--sandbox-sessions 64]
 *
 * 1. overhead: one episode, `--steps` no-op code cells (`pass`); per step the server's own
 *    overhead_ms (everything but the sandbox call and search) and the client-seen latency minus
 *    the sandbox time (adds HTTP and JSON). Medians.
 * 2. idle memory: `--episodes` episodes created and left idle; RSS growth per episode.
 * 3. scale: `--episodes` concurrent episodes, a scripted policy (code, search, code, answer, finish),
 *    kernels limited to `--sandbox-sessions` (the gate makes the rest wait: see sandbox waits).
 *    Search is an in-memory scripted provider (labelled), so the sandbox is what is measured.
 */
import { Agent, request } from 'node:http';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { gateSandbox } from '../../src/env/session-gate.js';
import { createRewardScorer } from '../../src/reward/compute-reward.js';
import { createLocalSandbox } from '../../src/sandbox/kernel-sandbox.js';
import type { SearchProvider } from '../../src/search/search-provider.js';
import { buildEnvServer } from '../../src/serve/env-server.js';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '300' },
    episodes: { type: 'string', default: '4096' },
    'sandbox-sessions': { type: 'string', default: '64' },
  },
});
const steps = Number(values.steps);
const episodes = Number(values.episodes);
const sandboxSessions = Number(values['sandbox-sessions']);

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN;
const p95 = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length * 0.95)] ?? Number.NaN;

const search: SearchProvider = {
  name: 'scripted (in-memory)',
  async search(query) {
    return [{ title: `About ${query}`, link: 'https://example.org', snippet: 'A scripted result.' }];
  },
};

// The machine is shared: every part prints the load average beside its numbers.
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
console.log(`start ${new Date().toISOString()}, load average (1/5/15 min) ${load()}`);

const kernels = await createLocalSandbox({ poolSize: 4, maxSessions: sandboxSessions });
// The last of 4,096 episodes waits in the gate's line for most of the run (~4 kernel starts/s here).
const sandbox = gateSandbox(kernels, sandboxSessions, 3 * 3_600_000);
const { app } = buildEnvServer(
  {
    sandbox,
    searchTools: { scripted: { text: search } },
    defaultSearch: 'scripted',
    scorers: { deepeyesv2: createRewardScorer({ profile: 'deepeyesv2' }) },
  },
  { capacity: episodes + 16, sandboxStats: sandbox.stats, lastSaturatedAt: sandbox.lastSaturatedAt },
);
const base = await app.listen({ host: '127.0.0.1', port: 0 });
const picture = (
  await sharp({ create: { width: 640, height: 480, channels: 3, background: '#468' } })
    .jpeg()
    .toBuffer()
).toString('base64');

// One connection per outstanding request, as a trainer with one coroutine per sample sends them. A pool
// shared by all episodes (the first 4,096 run had 512 sockets) puts the next step of an episode that holds
// a kernel behind steps waiting at the gate for that very kernel: head-of-line blocking, nothing moves.
const agent = new Agent({ keepAlive: true });

function send(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${base}${path}`,
      {
        method,
        agent,
        headers:
          payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

async function call(method: string, path: string, body?: unknown): Promise<any> {
  for (;;) {
    const { status, json } = await send(method, path, body);
    if (status === 429) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      continue;
    }
    if (status >= 400) throw new Error(`${method} ${path}: ${status} ${JSON.stringify(json)}`);
    return json;
  }
}
const create = () =>
  call('POST', '/episodes', {
    images: [picture],
    question: 'What colour is it?',
    ground_truth: 'blue',
    data_source: 'perception',
    options: { max_turns: 16 },
  });
const noop = '<think>t</think>\n<code>\n```python\npass\n```\n</code>';

// 1. overhead
{
  let id = (await create()).episode_id as string;
  let inEpisode = 0;
  const server: number[] = [];
  const client: number[] = [];
  const total: number[] = [];
  for (let index = 0; index < steps + 20; index += 1) {
    // Stay under the episode's turn cap: a fresh episode (and kernel) every 15 steps.
    if (inEpisode === 15) {
      await call('DELETE', `/episodes/${id}`);
      id = (await create()).episode_id;
      inEpisode = 0;
    }
    const start = performance.now();
    const result = await call('POST', `/episodes/${id}/step`, { text: noop });
    const elapsed = performance.now() - start;
    inEpisode += 1;
    // The first step of an episode opens its kernel; the first 20 steps warm up.
    if (index < 20 || inEpisode === 1) continue;
    server.push(result.timings.overhead_ms);
    client.push(elapsed - result.timings.sandbox_ms);
    total.push(elapsed);
  }
  await call('DELETE', `/episodes/${id}`);
  console.log(
    `overhead (${server.length} no-op steps): server p50 ${median(server).toFixed(2)} ms, p95 ${p95(server).toFixed(2)} ms; ` +
      `client-seen minus sandbox p50 ${median(client).toFixed(2)} ms; whole step p50 ${median(total).toFixed(2)} ms; load ${load()}`,
  );
}

// 2. idle memory
{
  global.gc?.();
  const before = process.memoryUsage().rss;
  const ids: string[] = [];
  for (let start = 0; start < episodes; start += 256) {
    const batch = await Promise.all(Array.from({ length: Math.min(256, episodes - start) }, () => create()));
    ids.push(...batch.map((created) => created.episode_id));
  }
  global.gc?.();
  const after = process.memoryUsage().rss;
  console.log(
    `idle memory: ${ids.length} open episodes (640×480 input each), RSS +${((after - before) / 1024 / 1024).toFixed(1)} MiB, ` +
      `${((after - before) / ids.length / 1024).toFixed(1)} KiB per episode; load ${load()}`,
  );
  for (let start = 0; start < ids.length; start += 512)
    await Promise.all(ids.slice(start, start + 512).map((id) => call('DELETE', `/episodes/${id}`)));
}

// 3. scale
{
  const start = performance.now();
  let errors = 0;
  let rewards = 0;
  const stepErrors = new Map<string, number>();
  const policy = [
    '<think>Look.</think>\n<code>\n```python\nprint(image_1.size)\n```\n</code>',
    'Search.</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "blue"}}\n</tool_call>',
    'Again.</think>\n<code>\n```python\nx = sum(range(1000))\nprint(x)\n```\n</code>',
    'Done.</think>\n<answer>blue</answer>',
  ];
  await Promise.all(
    Array.from({ length: episodes }, async () => {
      try {
        const { episode_id: id } = await create();
        for (const text of policy) {
          const result = await call('POST', `/episodes/${id}/step`, { text });
          if (result.error) {
            // A step the episode survived (an error observation) but still an error: say which.
            errors += 1;
            stepErrors.set(result.error, (stepErrors.get(result.error) ?? 0) + 1);
          }
        }
        const reward = await call('POST', `/episodes/${id}/finish`, {});
        rewards += reward.score;
      } catch (error) {
        errors += 1;
        if (errors < 5) console.error(String(error));
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const metrics = await call('GET', '/metrics');
  console.log(
    `scale: ${episodes} concurrent episodes × 4 steps + finish in ${seconds.toFixed(1)} s ` +
      `(${((episodes * 4) / seconds).toFixed(0)} steps/s), errors ${errors}, mean reward ${(rewards / episodes).toFixed(3)}; ` +
      `sandbox gate: ${JSON.stringify(metrics.sandbox)}; step p50 ${metrics.step_latency_ms.p50Ms?.toFixed(1)} ms, ` +
      `p95 ${metrics.step_latency_ms.p95Ms?.toFixed(1)} ms; tool errors ${JSON.stringify(metrics.tool_errors)}; ` +
      `RSS ${(metrics.memory.rss_bytes / 1024 / 1024).toFixed(0)} MiB; load ${load()}`,
  );
  for (const [message, count] of stepErrors) console.log(`  step error ×${count}: ${message}`);
}

await app.close();
await kernels.close();
