/**
 * Sandbox benchmark: the four DESIGN.md targets at the HTTP API, and the reference
 * design (new process + pickled state per call) measured in the same run. Warm calls are
 * timed from a Python client in its own process (requests.Session, then http.client), as
 * DeepEyesV2's RL environment calls the server; BENCH_CLIENT_PYTHON picks that Python.
 * Run: npx tsx bench/sandbox/run.ts   (as root, bubblewrap installed)
 */
import { cpus, loadavg, totalmem } from 'node:os';
import { createLocalSandbox } from '../../src/sandbox/kernel-sandbox.js';
import { buildSandboxServer } from '../../src/serve/sandbox-server.js';
import {
  cpuTicks,
  descendants,
  pssKib,
  type Summary,
  sleep,
  stealPercent,
  summarize,
  timed,
} from './measure.js';
import { photoLikeJpeg } from './photo-like-jpeg.js';
import { ReferenceDesign } from './reference-design.js';
import { runV1Client } from './v1-client.js';

const loadAtStart = loadavg();
const POOL_SIZE = 4;
const WARM_CALLS = Number(process.env.BENCH_WARM_CALLS ?? 300);
/** Warm-call rounds per client; the host's noise drifts over tens of seconds, so one block can mislead. */
const WARM_ROUNDS = Number(process.env.BENCH_WARM_ROUNDS ?? 3);
const NEW_SESSIONS = Number(process.env.BENCH_NEW_SESSIONS ?? 20);
const IDLE_SESSIONS = 16;
const CONCURRENT_SESSIONS = 64;
const CALLS_PER_SESSION = 10;

const sandbox = await createLocalSandbox({
  poolSize: POOL_SIZE,
  maxSessions: CONCURRENT_SESSIONS + IDLE_SESSIONS + 8,
});
const app = buildSandboxServer(sandbox);
const base = await app.listen({ host: '127.0.0.1', port: 0 });

/** The fields of v1 and native answers this script reads. */
type Answer = { output?: { stdout?: string }; stdout?: string; sessionId?: string };

async function post(path: string, body: unknown): Promise<{ status: number; json: Answer }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Answer };
}

async function poolRefilled(): Promise<void> {
  for (let waited = 0; waited < 10_000 && sandbox.getStats().poolReady < POOL_SIZE; waited += 20)
    await sleep(20);
}

const jpeg = await photoLikeJpeg();
const imageBase64 = jpeg.toString('base64');

// 1. Warm print(1) at the v1 HTTP API, first as a user sees it: a Python client in its own
// process with a keep-alive connection (DeepEyesV2's RL environment uses requests.Session),
// beside GET /health from the same client (the floor of HTTP plus client alone). Then the
// old in-process figure (fetch from this process, so the client's CPU lands on the server's
// event loop), kept for comparison.
type WarmRow = { client: string; v1: Summary; floor: Summary; roundP50s: number[]; stealPct: number };
const outOfProcess: WarmRow[] = [];
for (const library of ['requests', 'http.client'] as const) {
  const calls = { warmUpCalls: 20, timedCalls: WARM_CALLS };
  const samples: number[] = [];
  const floorSamples: number[] = [];
  const roundP50s: number[] = [];
  let client = library as string;
  const ticks = cpuTicks();
  for (let round = 0; round < WARM_ROUNDS; round += 1) {
    const v1 = await runV1Client({
      baseUrl: base,
      target: 'v1',
      library,
      sessionId: `warm-${library}`,
      ...calls,
    });
    const floor = await runV1Client({ baseUrl: base, target: 'health', library, sessionId: '', ...calls });
    client = v1.client;
    samples.push(...v1.samplesMs);
    floorSamples.push(...floor.samplesMs);
    roundP50s.push(summarize(v1.samplesMs).p50);
  }
  outOfProcess.push({
    client,
    v1: summarize(samples),
    floor: summarize(floorSamples),
    roundP50s,
    stealPct: stealPercent(ticks),
  });
}
for (let index = 0; index < 20; index += 1)
  await post('/jupyter_sandbox', { session_id: 'warm', code: 'print(1)' });
const warm: number[] = [];
for (let index = 0; index < WARM_CALLS; index += 1) {
  const [ms, answer] = await timed(() => post('/jupyter_sandbox', { session_id: 'warm', code: 'print(1)' }));
  if (answer.json.output?.stdout !== '1\n')
    throw new Error(`unexpected answer ${JSON.stringify(answer.json)}`);
  warm.push(ms);
}
await post('/clear_session', { session_id: 'warm' });

// 2. New session with a 2000×1500 image, ready (201), then its first call.
const ready: number[] = [];
const firstCall: number[] = [];
for (let index = 0; index < NEW_SESSIONS; index += 1) {
  await poolRefilled();
  const [ms, created] = await timed(() => post('/sessions', { images: [imageBase64] }));
  if (created.status !== 201) throw new Error(`session not created: ${JSON.stringify(created.json)}`);
  ready.push(ms);
  const id = created.json.sessionId as string;
  const [callMs, executed] = await timed(() =>
    post(`/sessions/${id}/execute`, { code: 'print(image_1.size)' }),
  );
  if (executed.json.stdout !== '(2000, 1500)\n')
    throw new Error(`image not loaded: ${JSON.stringify(executed.json)}`);
  firstCall.push(callMs);
  await fetch(`${base}/sessions/${id}`, { method: 'DELETE' });
}

// 3. Memory per idle session (PSS of every sandbox process, before and after).
await poolRefilled();
await sleep(300);
const pssBefore = pssKib(descendants(process.pid));
const idleIds: string[] = [];
for (let index = 0; index < IDLE_SESSIONS; index += 1) {
  const created = await post('/sessions', { images: [imageBase64] });
  idleIds.push(created.json.sessionId ?? '');
  await post(`/sessions/${created.json.sessionId}/execute`, { code: 'w, h = image_1.size\nprint(w * h)' });
}
await poolRefilled();
await sleep(300);
const pssAfter = pssKib(descendants(process.pid));
const perIdleMb = (pssAfter - pssBefore) / IDLE_SESSIONS / 1024;
for (const id of idleIds) await fetch(`${base}/sessions/${id}`, { method: 'DELETE' });

// 4. 64 concurrent sessions, each making CALLS_PER_SESSION v1 calls.
let errors = 0;
const concurrentLatency: number[] = [];
const [concurrentMs] = await timed(() =>
  Promise.all(
    Array.from({ length: CONCURRENT_SESSIONS }, async (_, session) => {
      for (let call = 0; call < CALLS_PER_SESSION; call += 1) {
        try {
          const [ms, answer] = await timed(() =>
            post('/jupyter_sandbox', {
              session_id: `c${session}`,
              code: `x = sum(range(10_000)) + ${call}\nprint(x)`,
            }),
          );
          concurrentLatency.push(ms);
          if (answer.status !== 200 || answer.json.output?.stdout !== `${49_995_000 + call}\n`) errors += 1;
        } catch {
          errors += 1;
        }
      }
    }),
  ),
);
const throughput = (CONCURRENT_SESSIONS * CALLS_PER_SESSION) / (concurrentMs / 1000);
for (let session = 0; session < CONCURRENT_SESSIONS; session += 1) {
  await post('/clear_session', { session_id: `c${session}` });
}
await app.close();
await sandbox.close();

// 5. The reference design, same machine, same run.
const reference = new ReferenceDesign();
await reference.call('ref-warm', 'x = 1');
const referenceWarm: number[] = [];
for (let index = 0; index < 5; index += 1)
  referenceWarm.push((await reference.call('ref-warm', 'print(1)')).ms);
const referenceNew: number[] = [];
let referenceStateBytes = 0;
for (let index = 0; index < 3; index += 1) {
  // Upstream loads the image through code text, as base64 inside the code.
  const call = await reference.call(
    `ref-new-${index}`,
    `import base64, io\nfrom PIL import Image\nimage_1 = Image.open(io.BytesIO(base64.b64decode("${imageBase64}")))\nimage_1.load()`,
  );
  referenceNew.push(call.ms);
  referenceStateBytes = call.stateBytes;
}
const REFERENCE_WORKERS = 8; // the reference serialises calls per worker (--workers 8)
const referenceSessions = 16;
let next = 0;
const [referenceConcurrentMs] = await timed(() =>
  Promise.all(
    Array.from({ length: REFERENCE_WORKERS }, async () => {
      while (next < referenceSessions) {
        const session = next++;
        await reference.call(`ref-c${session}`, 'x = sum(range(10_000))\nprint(x)');
      }
    }),
  ),
);
const referenceThroughput = referenceSessions / (referenceConcurrentMs / 1000);
reference.close();

// Report.
const format = (summary: Summary) =>
  `p50 ${summary.p50.toFixed(1)} ms, p95 ${summary.p95.toFixed(1)} ms (n=${summary.n})`;
const warmSummary = summarize(warm);
const readySummary = summarize(ready);
const referenceWarmSummary = summarize(referenceWarm);
const referenceNewSummary = summarize(referenceNew);
const ratio = (reference: number, ours: number) => `${(reference / ours).toFixed(0)}×`;
const loads = (values: number[]) => values.map((value) => value.toFixed(2)).join(' / ');
const warmRows = outOfProcess.map(
  ({ client, v1, floor, roundP50s, stealPct }) =>
    `| warm \`print(1)\`, ${client} in its own process | ${format(v1)}; p50 of each round ${roundP50s.map((value) => value.toFixed(1)).join(' / ')} ms; CPU steal ${stealPct.toFixed(1)} %; GET /health from the same client ${format(floor)} | ${format(referenceWarmSummary)} | ${ratio(referenceWarmSummary.p50, v1.p50)} | p50 ≤ 3 ms |`,
);
const lines = [
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; load average ${loads(loadAtStart)} at start, ${loads(loadavg())} at end; date ${new Date().toISOString().slice(0, 10)}`,
  '',
  '| measure | deepeyes (zygote + bwrap, HTTP) | reference design (new process + pickle per call) | ratio | target |',
  '|---|---|---|---|---|',
  ...warmRows,
  `| warm \`print(1)\`, fetch from the server's own process | ${format(warmSummary)} | ${format(referenceWarmSummary)} | ${ratio(referenceWarmSummary.p50, warmSummary.p50)} | — |`,
  `| new session with a 2000×1500 JPEG, ready | ${format(readySummary)} (+ first call ${format(summarize(firstCall))}) | ${format(referenceNewSummary)} (image sent as code text) | ${ratio(referenceNewSummary.p50, readySummary.p50)} | p50 ≤ 50 ms |`,
  `| extra memory per idle session (with that image) | ${perIdleMb.toFixed(1)} MB PSS | ${(referenceStateBytes / 2 ** 20).toFixed(1)} MB pickled state in Redis, no process | — | ≤ 25 MB |`,
  `| ${CONCURRENT_SESSIONS} concurrent sessions × ${CALLS_PER_SESSION} calls | ${errors} errors, ${throughput.toFixed(0)} calls/s, ${format(summarize(concurrentLatency))} | ${referenceThroughput.toFixed(2)} calls/s with ${REFERENCE_WORKERS} workers (${referenceSessions} calls) | ${ratio(throughput, referenceThroughput)} | 0 errors |`,
];
console.log(lines.join('\n'));
