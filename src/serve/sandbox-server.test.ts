import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { z } from 'zod';
import type { KernelSandbox } from '../sandbox/kernel-sandbox.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import { buildSandboxServer } from './sandbox-server.js';

const casesSchema = z.object({
  cases: z.array(
    z.object({
      id: z.string(),
      request: z.record(z.string(), z.unknown()),
      response: z.record(z.string(), z.unknown()).optional(),
      response_stdout: z.string().optional(),
    }),
  ),
});
const golden = casesSchema.parse(
  JSON.parse(readFileSync(new URL('./__fixtures__/sandbox-v1/cases.json', import.meta.url), 'utf8')),
);

let sandbox: KernelSandbox;
let app: FastifyInstance;

// The fixture owns the sandbox and server (closed with the file); helpers reach them through the handles.
const it = sandboxTest({ poolSize: 1, maxSessions: 3, interruptGraceMs: 1000 }).extend(
  'server',
  { scope: 'file', auto: true },
  async ({ sandbox: started }, { onCleanup }) => {
    sandbox = started;
    app = buildSandboxServer(started, { maxBodyBytes: 2 * 1024 * 1024 });
    onCleanup(() => app.close());
    return app;
  },
);

async function v1(body: unknown) {
  const response = await app.inject({ method: 'POST', url: '/jupyter_sandbox', payload: body as object });
  return { statusCode: response.statusCode, json: response.json() as Record<string, unknown> };
}

async function clear(sessionId: string) {
  return app.inject({ method: 'POST', url: '/clear_session', payload: { session_id: sessionId } });
}

describe('v1 API (golden shapes of the reference server)', () => {
  for (const testCase of golden.cases) {
    it(`answers ${testCase.id} like the reference`, async () => {
      const sessionId = `golden-${testCase.id}`;
      const { statusCode, json } = await v1({ session_id: sessionId, ...testCase.request });
      await clear(sessionId);
      expect(statusCode).toBe(200);
      expect(typeof json.execution_time).toBe('number');
      if (testCase.response) {
        const { execution_time: _, ...rest } = json;
        const { execution_time: expectedTime, ...expected } = testCase.response;
        expect(rest).toEqual(expected);
        if (expectedTime !== undefined) expect(json.execution_time).toBe(expectedTime);
      }
      if (testCase.response_stdout !== undefined) {
        expect((json.output as { stdout: string }).stdout).toBe(testCase.response_stdout);
      }
    });
  }

  it('keeps state per session id, defaults the id, and clear_session ends it at once', async () => {
    await v1({ code: 'shared = 5' });
    expect((await v1({ code: 'print(shared)' })).json.output).toMatchObject({ stdout: '5\n' });
    expect(
      (await v1({ session_id: 'other', code: "print('shared' in globals())" })).json.output,
    ).toMatchObject({
      stdout: 'False\n',
    });
    const cleared = await clear('JupyterSandboxDefault');
    expect(cleared.json()).toEqual({ status: 'success' });
    const after = await v1({ code: "print('shared' in globals())" });
    expect(after.json.output).toMatchObject({ stdout: 'False\n' });
    await clear('JupyterSandboxDefault');
    await clear('other');
  });

  it('keeps the output printed before a timeout and the state set before it', async () => {
    const id = 'timeout-state';
    const { json } = await v1({
      session_id: id,
      code: 'import time\nn = 4\nprint("started")\ntime.sleep(9)',
      timeout: 0.3,
    });
    expect(json.output).toMatchObject({
      stdout: 'started\n',
      stderr: 'TimeOutError: code execution timed out',
    });
    expect((await v1({ session_id: id, code: 'print(n)' })).json.output).toMatchObject({ stdout: '4\n' });
    await clear(id);
  });

  it('reports a dead kernel as dead, and the next call gets a fresh kernel', async () => {
    const id = 'dies';
    const { json } = await v1({ session_id: id, code: 'import os\nos._exit(1)' });
    expect(json.status).toBe('success');
    expect((json.output as { stderr: string }).stderr).toContain('KernelDied');
    expect((await v1({ session_id: id, code: 'print(2)' })).json.output).toMatchObject({ stdout: '2\n' });
    await clear(id);
  });

  it('gives str() of a PIL image as result, and its display text in Out[n] (reference fact 3)', async () => {
    const { json } = await v1({
      session_id: 'pil-str',
      code: "from PIL import Image\nImage.new('RGB', (64, 48))",
    });
    const output = json.output as { result: string; stdout: string };
    // str() of a PIL image is the default object repr, address included; Out[n] shows IPython's text.
    expect(output.result).toMatch(/^<PIL\.Image\.Image image mode=RGB size=64x48 at 0x[0-9A-Fa-f]+>$/);
    expect(output.stdout).toBe('Out[1]: <PIL.Image.Image image mode=RGB size=64x48>\n');
    await clear('pil-str');
  });

  it("writes tracebacks in newer IPython's `Cell In[n], line k` form, every cell numbered 1 as in the reference", async () => {
    const id = 'traceback';
    await v1({ session_id: id, code: 'def ratio(a, b):\n    return a / b' });
    const { json } = await v1({ session_id: id, code: 'x = 1\nratio(x, 0)' });
    const output = json.output as { result: string; stderr: string };
    expect(output.result).toBe('None');
    expect(output.stderr).toBe(
      [
        '---------------------------------------------------------------------------',
        'ZeroDivisionError                         Traceback (most recent call last)',
        'Cell In[1], line 2',
        '      1 x = 1',
        '----> 2 ratio(x, 0)',
        '',
        'Cell In[1], line 2, in ratio(a, b)',
        '      1 def ratio(a, b):',
        '----> 2     return a / b',
        '',
        'ZeroDivisionError: division by zero',
        '',
      ].join('\n'),
    );
    // The third call's value is still Out[1] (the native API keeps the kernel's count, 3).
    expect((await v1({ session_id: id, code: '6 * 7' })).json.output).toMatchObject({
      result: '42',
      stdout: 'Out[1]: 42\n',
    });
    await clear(id);
  });

  it('returns plt.show() figures as raw base64 PNG', async () => {
    const { json } = await v1({
      session_id: 'plot',
      code: 'import matplotlib.pyplot as plt\nplt.plot([1, 3])\nplt.show()',
    });
    const images = (json.output as { images: string[] }).images;
    expect(images).toHaveLength(1);
    expect(images[0]!.startsWith('iVBORw0KGgo')).toBe(true);
    await clear('plot');
  });

  it('returns only shown figures as images, and prints what display() shows (reference facts 3, 4)', async () => {
    const { json } = await v1({
      session_id: 'displays',
      code: [
        'from PIL import Image',
        'import matplotlib.pyplot as plt',
        'print("before")',
        'display(Image.new("RGB", (30, 20)))',
        'print("after")',
        'plt.plot([1, 2])',
        'plt.show()',
        'plt.figure()',
        'plt.plot([2, 1])',
        'Image.new("L", (7, 5))',
      ].join('\n'),
    });
    const output = json.output as { stdout: string; images: string[]; result: string };
    expect(output.images).toHaveLength(1); // the figure left open and the PIL value return nothing
    // The display text is IPython's pretty repr (no address), as the reference printed it.
    expect(output.stdout).toBe(
      'before\n<PIL.Image.Image image mode=RGB size=30x20>\nafter\nOut[1]: <PIL.Image.Image image mode=L size=7x5>\n',
    );
    expect(output.result).toMatch(/^<PIL\.Image\.Image image mode=L size=7x5 at 0x[0-9A-F]+>$/);
    await clear('displays');
  });
});

describe('native API', () => {
  it('creates a session with base64 images, executes, lists and deletes it', async () => {
    const png = await sharp({ create: { width: 20, height: 10, channels: 3, background: '#102030' } })
      .png()
      .toBuffer();
    const created = await app.inject({
      method: 'POST',
      url: '/sessions',
      payload: { sessionId: 'native-1', images: [`data:image/png;base64,${png.toString('base64')}`] },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toEqual({ sessionId: 'native-1' });
    const executed = await app.inject({
      method: 'POST',
      url: '/sessions/native-1/execute',
      payload: { code: 'print(image_1.size)\nimage_1.getpixel((0, 0))' },
    });
    expect(executed.statusCode).toBe(200);
    expect(executed.json()).toMatchObject({
      sessionId: 'native-1',
      status: 'ok',
      stdout: '(20, 10)\n',
      result: '(16, 32, 48)',
      executionCount: 1,
      images: [],
    });
    const listed = await app.inject({ method: 'GET', url: '/sessions' });
    expect(listed.json().sessions.map((session: { id: string }) => session.id)).toContain('native-1');
    expect((await app.inject({ method: 'DELETE', url: '/sessions/native-1' })).statusCode).toBe(204);
    const gone = await app.inject({
      method: 'POST',
      url: '/sessions/native-1/execute',
      payload: { code: '1' },
    });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('session-not-found');
  });

  it('refuses an image that is not base64, and accepts base64 wrapped over lines', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: '/sessions',
      payload: { images: ['not base64!'] },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('invalid-image');
    const png = await sharp({ create: { width: 6, height: 2, channels: 3, background: '#000000' } })
      .png()
      .toBuffer();
    const wrapped = png.toString('base64').replace(/(.{20})/g, '$1\n');
    const created = await app.inject({ method: 'POST', url: '/sessions', payload: { images: [wrapped] } });
    expect(created.statusCode).toBe(201);
    const { sessionId } = created.json() as { sessionId: string };
    const executed = await app.inject({
      method: 'POST',
      url: `/sessions/${sessionId}/execute`,
      payload: { code: 'print(image_1.size)' },
    });
    expect(executed.json().stdout).toBe('(6, 2)\n');
    await app.inject({ method: 'DELETE', url: `/sessions/${sessionId}` });
  });

  it('refuses a truncated JPEG at the door, naming it, as the CLI does (400, nothing opened)', async () => {
    const jpeg = await sharp(readFileSync('assets/demo/images/loading-bay.png')).jpeg().toBuffer();
    const good = jpeg.toString('base64');
    const truncated = jpeg.subarray(0, Math.floor(jpeg.length * 0.99)).toString('base64');
    const sessionsBefore = sandbox.getStats().sessions;
    const refused = await app.inject({
      method: 'POST',
      url: '/sessions',
      payload: { sessionId: 'truncated', images: [good, truncated] },
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toEqual({
      error: {
        code: 'image-unreadable',
        message: 'Input image image_2 is unreadable: it is truncated (the file ends before the image does)',
        hint: 'Send a complete PNG, JPEG, WebP, GIF, TIFF or BMP file.',
      },
    });
    expect(sandbox.getStats().sessions).toBe(sessionsBefore);
    expect(sandbox.getSession('truncated')).toBeUndefined();
  });

  it('accepts images as multipart uploads', async () => {
    const png = await sharp({ create: { width: 3, height: 4, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer();
    const boundary = 'deepeyesboundary';
    const payload = Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="sessionId"\r\n\r\nmulti-1\r\n`),
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`,
      ),
      png,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const created = await app.inject({
      method: 'POST',
      url: '/sessions',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });
    expect(created.statusCode).toBe(201);
    const executed = await app.inject({
      method: 'POST',
      url: '/sessions/multi-1/execute',
      payload: { code: 'print(image_1.size)' },
    });
    expect(executed.json().stdout).toBe('(3, 4)\n');
    await app.inject({ method: 'DELETE', url: '/sessions/multi-1' });
  });

  it('answers bad requests with JSON errors that carry a message', async () => {
    const emptyCode = await app.inject({
      method: 'POST',
      url: '/sessions/none/execute',
      payload: { code: ' ' },
    });
    expect(emptyCode.statusCode).toBe(400);
    expect(emptyCode.json().error).toMatchObject({ code: 'invalid-request' });
    expect(emptyCode.json().error.message).toContain('code is empty');
    const badJson = await app.inject({
      method: 'POST',
      url: '/sessions',
      headers: { 'content-type': 'application/json' },
      payload: '{not json',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.message).toBeTruthy();
    const badImage = await app.inject({
      method: 'POST',
      url: '/sessions',
      payload: { images: ['bm90IGFuIGltYWdl'] },
    });
    expect(badImage.statusCode).toBe(400);
    expect(badImage.json().error.code).toBe('image-unreadable');
    const tooLarge = await app.inject({
      method: 'POST',
      url: '/jupyter_sandbox',
      payload: { code: `# ${'x'.repeat(3 * 1024 * 1024)}` },
    });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json().error.code).toBe('payload-too-large');
    const unknown = await app.inject({ method: 'GET', url: '/nope' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error.message).toContain('/nope');
  });

  it('evicts the least recently used idle session at the limit; its id then answers 404 session-evicted', async () => {
    const ids = ['full-1', 'full-2', 'full-3'];
    for (const sessionId of ids) {
      expect(
        (await app.inject({ method: 'POST', url: '/sessions', payload: { sessionId } })).statusCode,
      ).toBe(201);
    }
    const fourth = await app.inject({ method: 'POST', url: '/sessions', payload: { sessionId: 'full-4' } });
    expect(fourth.statusCode).toBe(201);
    const evicted = await app.inject({
      method: 'POST',
      url: '/sessions/full-1/execute',
      payload: { code: '1' },
    });
    expect(evicted.statusCode).toBe(404);
    expect(evicted.json().error.code).toBe('session-evicted');
    const native = await app.inject({
      method: 'POST',
      url: '/sessions/full-2/execute',
      payload: { code: '1\n2' },
    });
    expect(native.json()).toMatchObject({ executionCount: 1, result: '2' });
    for (const id of ids.slice(1).concat('full-4'))
      await app.inject({ method: 'DELETE', url: `/sessions/${id}` });
  });

  it('serves health and metrics with a latency histogram and outcome counts', async () => {
    const health = await app.inject({ method: 'GET', url: '/health' });
    expect(health.json()).toMatchObject({ status: 'ok' });
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).json();
    expect(metrics.executions.ok).toBeGreaterThan(0);
    expect(metrics.timeouts).toBeGreaterThan(0);
    expect(metrics.deaths).toBeGreaterThan(0);
    expect(metrics.latencyMs.count).toBeGreaterThan(0);
    expect(metrics.latencyMs.buckets.at(-1)).toEqual({ le: '+Inf', count: metrics.latencyMs.count });
    expect(metrics.sandbox).toMatchObject({ isolation: true, maxSessions: 3 });
  });
});

describe('bearer token', () => {
  it('refuses requests without the token but keeps /health open', async () => {
    const guarded = buildSandboxServer(sandbox, { token: 's3cret' });
    try {
      const refused = await guarded.inject({
        method: 'POST',
        url: '/jupyter_sandbox',
        payload: { code: '1' },
      });
      expect(refused.statusCode).toBe(401);
      expect(refused.json().error.code).toBe('unauthorized');
      expect((await guarded.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      const allowed = await guarded.inject({
        method: 'POST',
        url: '/jupyter_sandbox',
        headers: { authorization: 'Bearer s3cret' },
        payload: { session_id: 'token', code: 'print(7)' },
      });
      expect(allowed.json().output.stdout).toBe('7\n');
      await guarded.inject({
        method: 'POST',
        url: '/clear_session',
        headers: { authorization: 'Bearer s3cret' },
        payload: { session_id: 'token' },
      });
    } finally {
      await guarded.close();
    }
  });
});
