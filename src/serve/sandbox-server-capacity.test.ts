import type { FastifyInstance } from 'fastify';
import { describe, expect, vi } from 'vitest';
import type { KernelSandbox } from '../sandbox/kernel-sandbox.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import { buildSandboxServer } from './sandbox-server.js';

// Two sessions at most, so the third one makes the server choose what to evict.
let sandbox: KernelSandbox;
let app: FastifyInstance;

// The fixture owns the sandbox and server (closed with the file); the helpers below reach them
// through these handles.
const it = sandboxTest({ poolSize: 1, maxSessions: 2, sessionWaitMs: 300 }).extend(
  'server',
  { scope: 'file', auto: true },
  async ({ sandbox: started }, { onCleanup }) => {
    sandbox = started;
    app = buildSandboxServer(started, { maxBodyBytes: 256 * 1024, token: 'tok' });
    onCleanup(() => app.close());
    return app;
  },
);

const auth = { authorization: 'Bearer tok' };

async function v1(body: unknown) {
  const response = await app.inject({
    method: 'POST',
    url: '/jupyter_sandbox',
    headers: auth,
    payload: body as object,
  });
  return { statusCode: response.statusCode, headers: response.headers, json: response.json() };
}

async function busyIds(): Promise<string[]> {
  return sandbox
    .listSessions()
    .filter((session) => session.busy)
    .map((session) => session.id);
}

describe('sessions nobody closes (v1)', () => {
  it('evicts the least recently used idle session at the limit and says so to its next caller', async () => {
    await v1({ session_id: 'a', code: 'x = "a"' });
    await v1({ session_id: 'b', code: 'x = "b"' });
    await v1({ session_id: 'a', code: 'x' }); // a is now more recent than b
    const third = await v1({ session_id: 'c', code: 'print("c runs")' });
    expect(third.statusCode).toBe(200);
    expect(third.json.output.stdout).toBe('c runs\n');
    expect(sandbox.getSession('b')).toBeUndefined();
    expect(sandbox.getSession('a')).toBeDefined();

    const back = await v1({ session_id: 'b', code: "print('x' in globals())" });
    expect(back.statusCode).toBe(200);
    expect(back.json.status).toBe('success');
    expect(back.json.output.stdout).toBe('False\n');
    expect(back.json.output.stderr).toBe(
      '[deepeyes sandbox: session b was idle and was evicted to make room for other sessions; this call ran in a fresh session, so variables from earlier calls are gone]\n',
    );
    // Told once: the fresh session is an ordinary session from then on.
    expect((await v1({ session_id: 'b', code: 'print(1)' })).json.output.stderr).toBe('');

    const metrics = (await app.inject({ method: 'GET', url: '/metrics', headers: auth })).json();
    expect(metrics.evictions).toBe(2); // b for c, then a for b
    expect(metrics.sandbox.sessionsEvicted).toBe(2);
  });

  it('refuses with 503 in the v1 envelope only when every session is mid-call', async () => {
    const running = ['b', 'c'].map((id) =>
      v1({ session_id: id, code: 'import time\ntime.sleep(60)', timeout: 120 }),
    );
    await vi.waitFor(async () => expect((await busyIds()).sort()).toEqual(['b', 'c']), { timeout: 10_000 });
    const refused = await v1({ session_id: 'd', code: 'print(1)' });
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json).toEqual({
      output: {
        result: null,
        stdout: '',
        stderr:
          'The sandbox has 2 open sessions and every one is running a call\nRetry when a call finishes, close finished sessions, or raise --max-sessions.\n',
        images: [],
      },
      status: 'error',
      execution_time: 0,
      error: {
        code: 'sandbox-full',
        message: 'The sandbox has 2 open sessions and every one is running a call',
        hint: 'Retry when a call finishes, close finished sessions, or raise --max-sessions.',
      },
    });
    // Clearing a session stops its call, which says why instead of blaming a limit.
    for (const id of ['b', 'c']) {
      await app.inject({ method: 'POST', url: '/clear_session', headers: auth, payload: { session_id: id } });
    }
    for (const answer of await Promise.all(running)) {
      expect(answer.statusCode).toBe(200);
      expect(answer.json.output.stderr).toContain(
        'SessionClosed: the session was closed while this call ran',
      );
    }
  });

  it('keeps the HTTP status and the v1 envelope for 400, 401 and 413', async () => {
    const huge = await v1({ session_id: 'e', code: 'print(1)', timeout: 1e12 });
    expect(huge.statusCode).toBe(400);
    expect(huge.json.status).toBe('error');
    expect(huge.json.output.stderr).toContain('timeout is in seconds and may be at most 86400 (24 h)');

    const noToken = await app.inject({ method: 'POST', url: '/jupyter_sandbox', payload: { code: '1' } });
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json().output.stderr).toContain('Missing or wrong bearer token');

    const tooLarge = await v1({ code: `# ${'x'.repeat(300 * 1024)}` });
    expect(tooLarge.statusCode).toBe(413);
    expect(tooLarge.json.output).toMatchObject({ result: null, stdout: '', images: [] });
    expect(tooLarge.json.error.code).toBe('payload-too-large');

    const badJson = await app.inject({
      method: 'POST',
      url: '/clear_session',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{oops',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().output.stderr).toContain('not valid JSON');
  });
});
