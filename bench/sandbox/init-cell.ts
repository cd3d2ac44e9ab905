/**
 * Images sent inside the code (issue 14.3): DeepEyesV2's RL environment loads the input
 * image with an init cell embedding the whole PNG as a base64 literal (8.5 MB of code for a
 * 2000×1500 photo). Measures, through the v1 API: new session + that cell (p50, target
 * ≤ 120 ms), extra PSS per idle session holding it (target ≤ 25 MB), and the same image sent
 * as bytes through the native API for comparison. The init cell is the upstream template,
 * read from the mirrored release at run time. The reference design (a new Python process per
 * call that imports the libraries, runs the cell and pickles the state) runs the same cell in
 * the same run, for comparison.
 * Run: npx tsx bench/sandbox/init-cell.ts   (as root, bubblewrap installed)
 */
import { loadavg } from 'node:os';
import sharp from 'sharp';
import { createLocalSandbox } from '../../src/sandbox/kernel-sandbox.js';
import { buildSandboxServer } from '../../src/serve/sandbox-server.js';
import { upstreamInitCell } from './init-cell-template.js';
import {
  descendants,
  faultsBetween,
  minorFaults,
  pageFaultMicros,
  pssKib,
  sleep,
  summarize,
  timed,
} from './measure.js';
import { photoLikeJpeg } from './photo-like-jpeg.js';
import { ReferenceDesign } from './reference-design.js';

const loadAtStart = loadavg()
  .map((value) => value.toFixed(2))
  .join(' / ');
const ROUNDS = Number(process.env.BENCH_INIT_ROUNDS ?? 15);
const IDLE_SESSIONS = Number(process.env.BENCH_IDLE_SESSIONS ?? 8);
const POOL_SIZE = 4;

const png = await sharp(await photoLikeJpeg())
  .png()
  .toBuffer();
const initCell = upstreamInitCell(png.toString('base64'));
const sandbox = await createLocalSandbox({ poolSize: POOL_SIZE, maxSessions: 64 });
const app = buildSandboxServer(sandbox);
const base = await app.listen({ host: '127.0.0.1', port: 0 });

async function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function poolRefilled(): Promise<void> {
  for (let waited = 0; waited < 10_000 && sandbox.getStats().poolReady < POOL_SIZE; waited += 20)
    await sleep(20);
}

async function check(sessionId: string): Promise<void> {
  const { json } = await post('/jupyter_sandbox', { session_id: sessionId, code: 'print(image_1.size)' });
  const stdout = (json.output as { stdout: string }).stdout;
  if (stdout !== '(2000, 1500)\n') throw new Error(`image_1 not loaded: ${JSON.stringify(json)}`);
}

// 1. New session + the upstream init cell (v1), against the same image as bytes (native).
const viaCode: number[] = [];
const viaBytes: number[] = [];
const kernelFaults: number[] = [];
const serverFaults: number[] = [];
const faultMicros = pageFaultMicros();
for (let round = 0; round < ROUNDS; round += 1) {
  await poolRefilled();
  // Page faults of the kernels (the pool kernel this session takes among them) and of this
  // process (the server and the client, one process) during the call.
  const kernels = descendants(process.pid);
  const kernelsBefore = minorFaults(kernels);
  const serverBefore = process.resourceUsage().minorPageFault;
  const [ms, answer] = await timed(() =>
    post('/jupyter_sandbox', { session_id: `code-${round}`, code: initCell, timeout: 30 }),
  );
  kernelFaults.push(faultsBetween(kernelsBefore, minorFaults(kernels)));
  serverFaults.push(process.resourceUsage().minorPageFault - serverBefore);
  if (answer.status !== 200 || (answer.json.output as { stderr: string }).stderr !== '') {
    throw new Error(`init cell failed: ${JSON.stringify(answer.json).slice(0, 500)}`);
  }
  viaCode.push(ms);
  await check(`code-${round}`);
  await post('/clear_session', { session_id: `code-${round}` });
  await poolRefilled();
  const [bytesMs] = await timed(() =>
    post('/sessions', { sessionId: `bytes-${round}`, images: [png.toString('base64')] }),
  );
  viaBytes.push(bytesMs);
  await fetch(`${base}/sessions/bytes-${round}`, { method: 'DELETE' });
}

// 2. Extra PSS per idle session holding the image loaded by the init cell.
await poolRefilled();
await sleep(300);
const before = pssKib(descendants(process.pid));
for (let index = 0; index < IDLE_SESSIONS; index += 1) {
  await post('/jupyter_sandbox', { session_id: `idle-${index}`, code: initCell, timeout: 30 });
  await check(`idle-${index}`);
}
await poolRefilled();
await sleep(500);
const after = pssKib(descendants(process.pid));
const perIdleMb = (after - before) / IDLE_SESSIONS / 1024;

await app.close();
await sandbox.close();

// 3. The reference design, same cell, same run: a new process per call, state pickled.
const REFERENCE_ROUNDS = Number(process.env.BENCH_REFERENCE_ROUNDS ?? 3);
const reference = new ReferenceDesign();
const viaReference: number[] = [];
let referenceStateBytes = 0;
for (let round = 0; round < REFERENCE_ROUNDS; round += 1) {
  const call = await reference.call(`init-${round}`, initCell);
  viaReference.push(call.ms);
  referenceStateBytes = call.stateBytes;
}
reference.close();

const code = summarize(viaCode);
const ref = summarize(viaReference);
const bytes = summarize(viaBytes);
console.log(`init cell: ${(initCell.length / 2 ** 20).toFixed(1)} MiB of code (2000×1500 PNG as base64)`);
console.log(
  `new session + init cell (v1):   p50 ${code.p50.toFixed(0)} ms  p95 ${code.p95.toFixed(0)} ms  (target ≤ 120 ms p50)`,
);
console.log(
  `page faults per init cell, p50: kernel ${summarize(kernelFaults).p50} (${((summarize(kernelFaults).p50 * 4) / 1024).toFixed(0)} MiB of fresh pages), server+client ${summarize(serverFaults).p50}; a fault costs ${faultMicros.toFixed(1)} us here`,
);
console.log(`new session + image as bytes:   p50 ${bytes.p50.toFixed(0)} ms  p95 ${bytes.p95.toFixed(0)} ms`);
console.log(`extra PSS per idle session holding it: ${perIdleMb.toFixed(1)} MB  (target ≤ 25 MB)`);
console.log(
  `reference design, new session + init cell: p50 ${ref.p50.toFixed(0)} ms (n=${ref.n}); state kept: ${(referenceStateBytes / 2 ** 20).toFixed(1)} MB pickled (Redis in the reference), no process`,
);
console.log(
  `load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ')} at end (${loadAtStart} at start)`,
);
