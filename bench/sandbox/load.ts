/**
 * The sandbox under RL load (issue 14.4), at the HTTP API with real kernels:
 *  1. 256 concurrent v1 calls on ONE session id (DeepEyesV2's RL environment shares one id per
 *     worker), default flags: every call must complete; p50/p95 and the longest queue wait.
 *  2. 512 concurrent v1 calls spread over 128 session ids, default flags (64 sessions at most):
 *     every call must complete, evictions allowed; p50/p95, longest queue wait, evictions.
 *  3. Memory budget: sessions holding a decoded 2000×1500 image opened one after another under
 *     a small budget until it binds (idle sessions evicted), then running sessions filling it so
 *     new ones are refused; /health answered throughout; /metrics' memory block printed.
 * Run: npx tsx bench/sandbox/load.ts   (as root, bubblewrap installed)
 */
import { loadavg } from 'node:os';
import { createLocalSandbox, type KernelSandboxOptions } from '../../src/sandbox/index.js';
import { buildSandboxServer } from '../../src/serve/sandbox-server.js';
import { sleep, summarize, timed } from './measure.js';
import { photoLikeJpeg } from './photo-like-jpeg.js';

const loadAtStart = loadavg();
const BUDGET_MB = Number(process.env.BENCH_BUDGET_MB ?? 1024);
const BUDGET_SESSIONS = Number(process.env.BENCH_BUDGET_SESSIONS ?? 48);

type Metrics = {
  evictions: number;
  refusals: number;
  memory: {
    budgetMb: number;
    usedMb: number;
    baseMb: number;
    evictions: number;
    refusals: number;
    kills: number;
  };
  queueWaitMs: { count: number; p50: number | null; p95: number | null; max: number };
};

async function withServer<T>(
  options: KernelSandboxOptions,
  run: (server: { base: string; metrics: () => Promise<Metrics> }) => Promise<T>,
): Promise<T> {
  const sandbox = await createLocalSandbox(options);
  const app = buildSandboxServer(sandbox);
  const base = await app.listen({ host: '127.0.0.1', port: 0 });
  try {
    return await run({
      base,
      metrics: async () => (await (await fetch(`${base}/metrics`)).json()) as Metrics,
    });
  } finally {
    await app.close();
    await sandbox.close();
  }
}

async function post(base: string, path: string, body: unknown) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

/** Fires every call at once; counts answers that are not HTTP 200 with the expected stdout. */
async function burst(base: string, calls: { sessionId: string; n: number }[]) {
  let errors = 0;
  const latencies: number[] = [];
  const [wallMs] = await timed(() =>
    Promise.all(
      calls.map(async ({ sessionId, n }) => {
        try {
          const [ms, answer] = await timed(() =>
            post(base, '/jupyter_sandbox', {
              session_id: sessionId,
              code: `x = sum(range(1000)) + ${n}\nprint(x)`,
            }),
          );
          latencies.push(ms);
          if (answer.status !== 200 || answer.json.output?.stdout !== `${499_500 + n}\n`) errors += 1;
        } catch {
          errors += 1;
        }
      }),
    ),
  );
  return { errors, wallMs, latency: summarize(latencies) };
}

const lines: string[] = [];
const fmt = (value: number | null | undefined) => (value == null ? '—' : value.toFixed(1));

// 1. 256 concurrent calls on one session id, default flags.
await withServer({}, async ({ base, metrics }) => {
  await post(base, '/jupyter_sandbox', { session_id: 'rl-worker', code: 'pass' });
  const result = await burst(
    base,
    Array.from({ length: 256 }, (_, n) => ({ sessionId: 'rl-worker', n })),
  );
  const m = await metrics();
  lines.push(
    `| 256 concurrent calls, one session id | ${result.errors} errors of 256 | p50 ${fmt(result.latency.p50)} ms, p95 ${fmt(result.latency.p95)} ms | ${fmt(m.queueWaitMs.max)} ms (p95 ${fmt(m.queueWaitMs.p95)}) | ${(256 / (result.wallMs / 1000)).toFixed(0)} calls/s | — |`,
  );
});

// 2. 512 concurrent calls over 128 session ids, default flags (64 sessions at most).
await withServer({}, async ({ base, metrics }) => {
  const result = await burst(
    base,
    Array.from({ length: 512 }, (_, n) => ({ sessionId: `item-${n % 128}`, n })),
  );
  const m = await metrics();
  lines.push(
    `| 512 concurrent calls over 128 session ids (max 64 sessions) | ${result.errors} errors of 512 | p50 ${fmt(result.latency.p50)} ms, p95 ${fmt(result.latency.p95)} ms | ${fmt(m.queueWaitMs.max)} ms (p95 ${fmt(m.queueWaitMs.p95)}) | ${(512 / (result.wallMs / 1000)).toFixed(0)} calls/s | ${m.evictions} evictions, ${m.refusals} refusals |`,
  );
});

// 3. The memory budget binding: sessions holding a decoded image, then running ones filling it.
const budgetLines: string[] = [];
await withServer(
  { memoryBudgetMb: BUDGET_MB, sessionWaitMs: 1000, maxSessions: 128 },
  async ({ base, metrics }) => {
    const image = (await photoLikeJpeg()).toString('base64');
    let healthFailures = 0;
    const health = setInterval(async () => {
      const answer = await fetch(`${base}/health`).catch(() => undefined);
      if (answer?.status !== 200) healthFailures += 1;
    }, 200);
    const ids: string[] = [];
    let firstEvictionAt: number | undefined;
    const opened: number[] = [];
    for (let index = 0; index < BUDGET_SESSIONS; index += 1) {
      const [ms, created] = await timed(() => post(base, '/sessions', { images: [image] }));
      if (created.status !== 201)
        throw new Error(`session ${index} refused: ${JSON.stringify(created.json)}`);
      opened.push(ms);
      const id = created.json.sessionId as string;
      ids.push(id);
      // Hold the image decoded twice: PIL's pixels and a numpy copy (≈ 18 MB).
      await post(base, `/sessions/${id}/execute`, {
        code: 'import numpy as np\nimage_1.load()\npixels = np.array(image_1)',
      });
      await sleep(60); // the budget is sampled every second; give it a chance between sessions
      const m = await metrics();
      if (firstEvictionAt === undefined && m.memory.evictions > 0) firstEvictionAt = index + 1;
    }
    await sleep(1200);
    const afterIdle = await metrics();
    // Running sessions now fill 97 % of what the budget leaves sessions (each already holds
    // ~30 MB): idle ones are evicted for them, and a new session (44 MB reserved) cannot fit.
    const room = afterIdle.memory.budgetMb - afterIdle.memory.baseMb;
    const running = ids.slice(-6);
    const share = Math.max(0, Math.floor((room * 0.97) / 6) - 30);
    const calls = running.map((id) =>
      post(base, `/sessions/${id}/execute`, {
        code: `import time\nfill = bytearray(${share} * 2**20)\ntime.sleep(8)`,
        timeoutMs: 30_000,
      }),
    );
    await sleep(2500); // allocated, sampled, idle sessions evicted
    let refused = 0;
    let answered = 0;
    for (let attempt = 0; attempt < 4; attempt += 1) {
      const created = await post(base, '/sessions', { images: [image] });
      answered += 1;
      if (created.status === 503 && created.json.error?.code === 'sandbox-memory-full') refused += 1;
    }
    const statuses = (await Promise.all(calls)).map((answer) => answer.json.status as string);
    clearInterval(health);
    const m = await metrics();
    budgetLines.push(
      `budget ${m.memory.budgetMb} MB; ${BUDGET_SESSIONS} sessions opened one after another, each holding a decoded 2000×1500 image (new session p50 ${fmt(summarize(opened).p50)} ms); first budget eviction at session ${firstEvictionAt ?? 'none'}; after them ${afterIdle.memory.usedMb} MB used, ${afterIdle.memory.evictions} evicted for the budget`,
      `then 6 running sessions allocating ${share} MB each: ${refused} of ${answered} new sessions refused (503 sandbox-memory-full after the 1 s wait), running calls ended ${statuses.join('/')}`,
      `/metrics memory at the end: ${JSON.stringify(m.memory)}; /health failures during the phase: ${healthFailures}`,
    );
  },
);

const loads = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
console.log(
  `load average ${loads(loadAtStart)} at start, ${loads(loadavg())} at end; ${new Date().toISOString()}`,
);
console.log('');
console.log(
  '| load | errors | latency (client, HTTP) | longest queue wait (server) | throughput | sessions |',
);
console.log('|---|---|---|---|---|---|');
for (const line of lines) console.log(line);
console.log('');
for (const line of budgetLines) console.log(`- ${line}`);
