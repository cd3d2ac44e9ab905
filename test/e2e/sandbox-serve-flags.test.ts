/**
 * `sandbox serve`'s remaining flags, each shown to take effect on the real executable (server-flags.test.ts
 * covers the others). One server carries the flags that do not interfere with each other; isolation is
 * switched off on a second one, which also shows the defaults the first one changes.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type DeepeyesProcess, killStarted, startServer } from './helpers/deepeyes-process.js';

type Served = DeepeyesProcess & { url: string };

afterAll(killStarted);

const serve = (args: string[]): Promise<Served> => startServer(['sandbox', 'serve', '--port', '0', ...args]);

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

/** Whether the kernel serving this call was reached over its Unix-socket lane (found from inside it). */
const LANE_PROBE = [
  'import gc',
  "print([o.lane is not None for o in gc.get_objects() if type(o).__name__ == 'Kernel' and hasattr(o, 'lane')])",
].join('\n');

const [limited, open] = await Promise.all([
  serve([
    '--pool-size',
    '0',
    '--max-sessions',
    '1',
    '--session-wait',
    '1',
    '--session-ttl',
    '3',
    '--timeout-default',
    '1',
    '--scratch-mb',
    '48',
    '--max-image-mb',
    '1',
    '--no-kernel-lane',
    '--drain-timeout',
    '1',
  ]),
  serve(['--pool-size', '0', '--unsafe-no-isolation']),
]);

const execute = (served: Served, id: string, body: Record<string, unknown>) =>
  post(`${served.url}/sessions/${id}/execute`, body);

describe('deepeyes sandbox serve: every flag takes effect', () => {
  it('--scratch-mb sizes /tmp, --no-kernel-lane keeps calls on ZeroMQ (the default uses the lane)', async () => {
    expect((await post(`${limited.url}/sessions`, { sessionId: 'a' })).status).toBe(201);
    const scratch = await execute(limited, 'a', {
      code: "import os\ns = os.statvfs('/tmp')\nprint(round(s.f_blocks * s.f_frsize / 2**20))",
    });
    expect(scratch.json.stdout).toBe('48\n');
    expect((await execute(limited, 'a', { code: LANE_PROBE })).json.stdout).toBe('[False]\n');
    expect((await post(`${open.url}/sessions`, { sessionId: 'b' })).status).toBe(201);
    expect((await execute(open, 'b', { code: LANE_PROBE })).json.stdout).toBe('[True]\n');
  }, 60_000);

  it('--unsafe-no-isolation runs kernels without bubblewrap: the host is visible (it is not by default)', async () => {
    const probe = `import os\nprint(os.path.exists(${JSON.stringify(`${process.cwd()}/package.json`)}))`;
    expect((await execute(open, 'b', { code: probe })).json.stdout).toBe('True\n');
    expect((await execute(limited, 'a', { code: probe })).json.stdout).toBe('False\n');
    const metrics = async (served: Served) =>
      ((await (await fetch(`${served.url}/metrics`)).json()) as { sandbox: { isolation: boolean } }).sandbox;
    expect((await metrics(open)).isolation).toBe(false);
    expect((await metrics(limited)).isolation).toBe(true);
  }, 60_000);

  it('--timeout-default bounds a native call that names no timeout', async () => {
    const slow = await execute(limited, 'a', { code: 'import time\ntime.sleep(8)\nprint("late")' });
    expect(slow.json.status).toBe('timeout');
    expect(slow.json.stdout).not.toContain('late');
  }, 60_000);

  it('--max-image-mb drops a larger returned image and says so', async () => {
    const image = await execute(limited, 'a', {
      code: [
        'import numpy as np',
        'from PIL import Image',
        'from IPython.display import display',
        'display(Image.fromarray(np.random.default_rng(0).integers(0, 255, (1000, 1000, 3), dtype=np.uint8)))',
      ].join('\n'),
      timeoutMs: 30_000,
    });
    expect(image.json.images ?? []).toHaveLength(0);
    expect(image.json.stderr).toContain('image(s) dropped, larger than 1048576 bytes');
  }, 60_000);

  it('--session-wait: a new session waits 1 s for a busy one, then 503 (the 30 s default would outlast the call)', async () => {
    const busy = execute(limited, 'a', { code: 'import time\ntime.sleep(8)', timeoutMs: 30_000 });
    // A session counts as busy once its call has arrived (no kernel needed); the server answers no
    // event for that, so give the local request a generous moment, far below the 8 s call.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = await post(`${limited.url}/sessions`, { sessionId: 'c' });
    expect(second.status).toBe(503);
    expect((await busy).json.status).toBe('ok');
  }, 60_000);

  it('--session-ttl closes an idle session', async () => {
    const expired = async () =>
      (
        (await (await fetch(`${limited.url}/metrics`)).json()) as {
          sandbox: { sessionsExpired: number };
        }
      ).sandbox.sessionsExpired;
    // Bounded poll of an outside process: idle 3 s plus the sweep; the default (1 h) never gets there.
    const deadline = Date.now() + 20_000;
    while ((await expired()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    expect(await expired()).toBeGreaterThanOrEqual(1);
  }, 30_000);

  it('--drain-timeout: on SIGTERM an in-flight call gets 1 s, then "shutting down", and the server exits', async () => {
    expect((await post(`${limited.url}/sessions`, { sessionId: 'd' })).status).toBe(201);
    const started = Date.now();
    const inFlight = execute(limited, 'd', { code: 'import time\ntime.sleep(25)', timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    limited.signal('SIGTERM');
    const answer = await inFlight;
    expect(JSON.stringify(answer.json)).toMatch(/shutting down/i);
    await limited.exited;
    // The default drain (30 s) would have let the 25 s call finish first.
    expect(Date.now() - started).toBeLessThan(20_000);
  }, 60_000);
});
