/**
 * Where a warm call's time goes, layer by layer (not a target check: see run.ts).
 * Run: npx tsx bench/sandbox/profile.ts
 */
import { loadavg } from 'node:os';
import { executeRequestContent } from '../../src/sandbox/jupyter-message.js';
import type { KernelProcess } from '../../src/sandbox/kernel-process.js';
import { createLocalSandbox } from '../../src/sandbox/kernel-sandbox.js';
import { buildSandboxServer } from '../../src/serve/sandbox-server.js';
import { summarize, timed } from './measure.js';
import { photoLikeJpeg } from './photo-like-jpeg.js';

const CALLS = Number(process.env.PROFILE_CALLS ?? 200);
const POOL_SIZE = 2;
const sandbox = await createLocalSandbox({ poolSize: POOL_SIZE, maxSessions: 8 });
/** Waits until the pool is full again, so a kernel being forked does not skew the next phase. */
async function poolRefilled(): Promise<void> {
  for (let waited = 0; waited < 10_000 && sandbox.getStats().poolReady < POOL_SIZE; waited += 20)
    await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setTimeout(resolve, 200));
}
await poolRefilled();
const session = await sandbox.openSession({ sessionId: 'profile' });
const kernel = (session as unknown as { kernel: KernelProcess }).kernel;
const format = (name: string, samples: number[]) => {
  const s = summarize(samples);
  console.log(
    `${name.padEnd(44)} p50 ${s.p50.toFixed(2)} ms  p95 ${s.p95.toFixed(2)} ms  mean ${s.mean.toFixed(2)}`,
  );
};
console.log(
  `load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`,
);

async function repeat(run: () => Promise<unknown>, calls = CALLS): Promise<number[]> {
  for (let index = 0; index < 20; index += 1) await run();
  const samples: number[] = [];
  for (let index = 0; index < calls; index += 1) samples.push((await timed(run))[0]);
  return samples;
}

// 1. Bare shell round trip: kernel_info_request (no IPython execution at all).
format(
  'kernel_info_request reply',
  await repeat(async () => {
    const { msgId, reply } = kernel.connection.request('shell', 'kernel_info_request', {});
    await reply;
    kernel.connection.release(msgId);
  }),
);

// 2. Raw execute_request with arrival times of every message.
const arrivals: Record<string, number[]> = {};
function record(name: string, ms: number): void {
  arrivals[name] = [...(arrivals[name] ?? []), ms];
}
async function rawExecute(code: string, silent: boolean, storeHistory: boolean): Promise<void> {
  const startedAt = performance.now();
  let idle: () => void = () => {};
  const idleSeen = new Promise<void>((resolve) => {
    idle = resolve;
  });
  const { msgId, reply } = kernel.connection.request(
    'shell',
    'execute_request',
    executeRequestContent(code, { silent, storeHistory }),
    (message) => {
      const state = (message.content as { execution_state?: string }).execution_state;
      const name = state ? `status:${state}` : message.header.msg_type;
      record(name, performance.now() - startedAt);
      if (state === 'idle') idle();
    },
  );
  await reply;
  record('execute_reply', performance.now() - startedAt);
  if (!silent) await idleSeen;
  kernel.connection.release(msgId);
}
for (const [label, code, silent, history] of [
  ['execute print(1)', 'print(1)', false, true],
  ['execute pass', 'pass', false, true],
  ['execute pass silent', 'pass', true, false],
] as const) {
  for (const key of Object.keys(arrivals)) delete arrivals[key];
  format(label, await repeat(() => rawExecute(code, silent, history)));
  for (const [name, samples] of Object.entries(arrivals)) format(`  arrival of ${name}`, samples.slice(20));
}

// 3. Inside the kernel: run_cell alone, no messaging.
const inside = await session.execute(
  [
    'import time as _t',
    '_ip = get_ipython()',
    '_s = []',
    'for _ in range(200):',
    '    _a = _t.perf_counter(); _ip.run_cell("pass", store_history=True); _s.append(_t.perf_counter() - _a)',
    '_s.sort(); print("run_cell(pass) p50 %.3f ms" % (_s[100] * 1000))',
  ].join('\n'),
);
console.log(inside.stdout.trim(), inside.stderr.trim());

// 4. The session API and fastify inject, interleaved call by call on one kernel: measured as
// separate phases, drift in the machine's load between phases once looked like ~1 ms spent
// inside the v1 route. Interleaved, the route costs what a no-op route costs plus ~0.1 ms.
await session.close();
const app = buildSandboxServer(sandbox);
app.post('/profile-noop', async () => ({ status: 'ok' }));
const body = { session_id: 'http', code: 'print(1)' };
await app.inject({ method: 'POST', url: '/jupyter_sandbox', payload: body });
const httpSession = sandbox.getSession('http');
if (!httpSession) throw new Error('the v1 call did not open session "http"');
await poolRefilled();
const interleaved: [string, () => Promise<unknown>][] = [
  ['session.execute(print(1))', () => httpSession.execute('print(1)')],
  [
    'fastify inject no-op POST route',
    () => app.inject({ method: 'POST', url: '/profile-noop', payload: body }),
  ],
  [
    'fastify inject /jupyter_sandbox',
    () => app.inject({ method: 'POST', url: '/jupyter_sandbox', payload: body }),
  ],
];
const interleavedSamples = interleaved.map(() => [] as number[]);
const interleavedCpuMs = interleaved.map(() => 0);
for (let index = 0; index < CALLS + 20; index += 1) {
  for (const [position, [, run]] of interleaved.entries()) {
    const cpuBefore = process.cpuUsage();
    const [ms] = await timed(run);
    const cpu = process.cpuUsage(cpuBefore);
    if (index < 20) continue;
    interleavedSamples[position]!.push(ms);
    interleavedCpuMs[position]! += (cpu.user + cpu.system) / 1000;
  }
}
for (const [position, [name]] of interleaved.entries()) {
  format(`${name} (interleaved)`, interleavedSamples[position]!);
  console.log(`  Node CPU per call ${(interleavedCpuMs[position]! / CALLS).toFixed(2)} ms`);
}
const base = await app.listen({ host: '127.0.0.1', port: 0 });
format(
  'fetch /jupyter_sandbox',
  await repeat(async () => {
    const response = await fetch(`${base}/jupyter_sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    await response.json();
  }),
);
format(
  'fetch /health (HTTP only)',
  await repeat(async () => {
    const response = await fetch(`${base}/health`);
    await response.json();
  }),
);
// 5. A new session with a 2000×1500 JPEG: the parts of POST /sessions.
const jpeg = await photoLikeJpeg();
const imageBase64 = jpeg.toString('base64');
const sessionBody = JSON.stringify({ images: [imageBase64] });
console.log(
  `JPEG ${(jpeg.length / 2 ** 20).toFixed(2)} MiB, request body ${(sessionBody.length / 2 ** 20).toFixed(2)} MiB`,
);
format('  JSON.stringify body', await repeat(async () => JSON.stringify({ images: [imageBase64] }), 30));
format('  JSON.parse body', await repeat(async () => JSON.parse(sessionBody), 30));
format('  base64 decode', await repeat(async () => Buffer.from(imageBase64, 'base64'), 30));
format('  base64 alphabet check', await repeat(async () => /^[A-Za-z0-9+/=\s_-]+$/.test(imageBase64), 30));
const NEW_SESSIONS = Number(process.env.PROFILE_NEW_SESSIONS ?? 10);
async function openPhases(label: string, open: () => Promise<string>): Promise<void> {
  const samples: number[] = [];
  for (let index = 0; index < NEW_SESSIONS; index += 1) {
    await poolRefilled();
    const [ms, id] = await timed(open);
    samples.push(ms);
    await sandbox.getSession(id)?.close();
  }
  format(label, samples);
}
await openPhases('openSession() no image', async () => (await sandbox.openSession()).id);
await openPhases(
  'openSession() with the JPEG bytes',
  async () => (await sandbox.openSession({ images: [{ bytes: jpeg }] })).id,
);
await openPhases('POST /sessions (fetch, base64 JSON)', async () => {
  const response = await fetch(`${base}/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ images: [imageBase64] }),
  });
  return ((await response.json()) as { sessionId: string }).sessionId;
});
console.log(
  `load average ${loadavg()
    .map((value) => value.toFixed(2))
    .join(' ')}`,
);
await app.close();
await sandbox.close();
