import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { describe, expect, onTestFinished, vi } from 'vitest';
import type { KernelSandbox } from '../sandbox/kernel-sandbox.js';
import { SESSION_BASE_RESERVATION_BYTES } from '../sandbox/memory-budget.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import { buildSandboxServer } from './sandbox-server.js';

// A small budget over real kernels so it binds after a few allocations. No warm pool and no
// timed sampling: memory is measured when the test says, so every figure below is stable.
const MB = 2 ** 20;
const BUDGET_MB = 640;
let sandbox: KernelSandbox;
let app: FastifyInstance;

// The fixture owns the sandbox and server (closed with the file); helpers reach them through the handles.
const it = sandboxTest({
  poolSize: 0,
  maxSessions: 16,
  memoryBudgetMb: BUDGET_MB,
  memorySampleMs: 3_600_000,
  sessionWaitMs: 300,
}).extend('server', { scope: 'file', auto: true }, async ({ sandbox: started }, { onCleanup }) => {
  sandbox = started;
  app = buildSandboxServer(started);
  onCleanup(() => app.close());
  return app;
});

async function v1(sessionId: string, code: string) {
  const response = await app.inject({
    method: 'POST',
    url: '/jupyter_sandbox',
    payload: { session_id: sessionId, code, timeout: 60 },
  });
  return { statusCode: response.statusCode, headers: response.headers, json: response.json() };
}

async function metrics() {
  return (await app.inject({ method: 'GET', url: '/metrics' })).json();
}

/** Budget minus what the sandbox holds now, after a fresh sample. */
async function freeBytes(): Promise<number> {
  await sandbox.sampleMemory();
  const { memory } = sandbox.getStats();
  return memory.budgetBytes - memory.usedBytes;
}

/** A real PNG whose decoded pixels (RGBA) take about `bytes`: its session reserves that much more. */
async function imageReserving(bytes: number): Promise<string> {
  const side = Math.ceil(Math.sqrt(bytes / 4));
  const png = await sharp({ create: { width: side, height: side, channels: 3, background: '#808080' } })
    .png()
    .toBuffer();
  return png.toString('base64');
}

const busy = (ids: string[]) =>
  vi.waitFor(
    () =>
      expect(
        sandbox
          .listSessions()
          .filter((s) => s.busy)
          .map((s) => s.id)
          .sort(),
      ).toEqual(ids.sort()),
    { timeout: 10_000 },
  );

describe('memory budget (real kernels)', () => {
  it('evicts idle sessions least recently used first to admit a new one', async () => {
    const headroom = await freeBytes();
    const each = Math.floor(headroom / 3);
    expect((await v1('s1', `a = bytearray(${each})`)).json.output.stderr).toBe('');
    expect((await v1('s2', `a = bytearray(${each})`)).json.output.stderr).toBe('');
    const free = await freeBytes();
    expect(free).toBeGreaterThan(0);
    // s3 needs 40 MB more than is free: one idle session (s1, the older) must go, and is enough.
    const images = [await imageReserving(free + 40 * MB - SESSION_BASE_RESERVATION_BYTES)];
    const created = await app.inject({
      method: 'POST',
      url: '/sessions',
      payload: { sessionId: 's3', images },
    });
    expect(created.statusCode).toBe(201);
    expect(sandbox.getSession('s1')).toBeUndefined();
    expect(sandbox.getSession('s2')).toBeDefined();
    const { memory, evictions } = await metrics();
    expect(memory).toMatchObject({ budgetMb: BUDGET_MB, evictions: 1, refusals: 0, kills: 0 });
    expect(evictions).toBe(1);
  });

  it('refuses a new session with 503 (v1 envelope on v1) when only running sessions hold the memory', async () => {
    const free = await freeBytes();
    // Both sessions busy, s2 filling the budget but for 16 MB: no idle session, no room for 32 MB, and
    // 16 MB either side for the kernels' small allocations (no kill, still no room).
    const filler = Math.max(0, free - 16 * MB);
    // Whatever the outcome, the sleeping calls end with the test, so the next test starts with idle sessions.
    onTestFinished(async () => {
      await app.inject({ method: 'POST', url: '/clear_session', payload: { session_id: 's2' } });
      await app.inject({ method: 'DELETE', url: '/sessions/s3' });
      await Promise.all(running);
    });
    const running = [
      v1('s2', `import time\nb = bytearray(${filler})\ntime.sleep(60)`),
      app.inject({
        method: 'POST',
        url: '/sessions/s3/execute',
        payload: { code: 'import time\ntime.sleep(60)', timeoutMs: 60_000 },
      }),
    ];
    await busy(['s2', 's3']);
    await vi.waitFor(async () => expect(await freeBytes()).toBeLessThan(SESSION_BASE_RESERVATION_BYTES), {
      timeout: 10_000,
    });

    const refused = await v1('s4', 'print(1)');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json.status).toBe('error');
    expect(refused.json.output).toMatchObject({ result: null, stdout: '', images: [] });
    expect(refused.json.output.stderr).toMatch(
      new RegExp(
        `^The sandbox's memory budget \\(${BUDGET_MB} MB\\) cannot take a new session needing 32 MB`,
      ),
    );
    expect(refused.json.error.code).toBe('sandbox-memory-full');

    const native = await app.inject({ method: 'POST', url: '/sessions', payload: {} });
    expect(native.statusCode).toBe(503);
    expect(native.headers['retry-after']).toBe('1');
    expect(native.json().error.code).toBe('sandbox-memory-full');
    expect((await metrics()).memory).toMatchObject({ refusals: 2, kills: 0 });
    expect((await app.inject({ method: 'GET', url: '/health' })).json().status).toBe('ok');
  });

  it('evicts idle sessions, then kills the largest running kernel, when running kernels outgrow it', async () => {
    expect((await v1('idle', 'x = 1')).statusCode).toBe(200);
    const over = (await freeBytes()) + 60 * MB;
    const growing = v1('grows', `import time\nbig = bytearray(${over})\ntime.sleep(60)`);
    await busy(['grows']);
    await vi.waitFor(
      async () => {
        await sandbox.sampleMemory();
        expect(sandbox.getStats().memory.kills).toBe(1);
      },
      { timeout: 15_000, interval: 100 },
    );
    const answer = await growing;
    expect(answer.statusCode).toBe(200);
    expect(answer.json.output.stderr).toContain(
      `the sandbox's total memory budget (${BUDGET_MB} MB) was exceeded while every other session was running too, and this kernel held the most`,
    );
    expect(sandbox.getSession('idle')).toBeUndefined();
    expect((await metrics()).memory).toMatchObject({ evictions: 2, kills: 1 });
    // The server carries on: the next call under that id gets a fresh kernel.
    expect((await v1('grows', 'print("back")')).json.output.stdout).toBe('back\n');
  });
});
