import sharp from 'sharp';
import { describe, expect } from 'vitest';
import { sandboxTest } from './testing/sandbox-test.js';

const it = sandboxTest({
  poolSize: 1,
  maxSessions: 4,
  // A new session at the limit waits this long for an idle one before it is refused.
  sessionWaitMs: 200,
  interruptGraceMs: 1000,
  maxOutputChars: 2000,
  maxImages: 3,
});

const withImages = (images: Uint8Array[]) => ({ images: images.map((bytes) => ({ bytes })) });

async function pngSize(bytes: Uint8Array): Promise<[number, number]> {
  const metadata = await sharp(bytes).metadata();
  return [metadata.width ?? 0, metadata.height ?? 0];
}

describe('kernel sessions', () => {
  it('keeps state across calls and returns the last expression as result', async ({ openSession }) => {
    const session = await openSession();
    const first = await session.execute('x = 20\nprint("set")');
    expect(first).toMatchObject({ status: 'ok', stdout: 'set\n', stderr: '', executionCount: 1 });
    expect(first.result).toBeUndefined();
    const second = await session.execute('x + 22');
    expect(second).toMatchObject({ status: 'ok', result: '42', resultDisplay: '42', executionCount: 2 });
  });

  it('gives str() of the last value as result and its repr as resultDisplay', async ({ openSession }) => {
    const session = await openSession();
    const text = await session.execute("'line one\\nline two'");
    expect(text).toMatchObject({ result: 'line one\nline two', resultDisplay: "'line one\\nline two'" });
    const silenced = await session.execute('41 + 1;');
    expect(silenced.result).toBeUndefined();
    expect(silenced.resultDisplay).toBeUndefined();
  });

  it('keeps stdout, stderr writes and warnings apart', async ({ openSession }) => {
    const session = await openSession();
    const execution = await session.execute(
      'import sys, warnings\nprint("out")\nprint("err", file=sys.stderr)\nwarnings.warn("careful")',
    );
    expect(execution.stdout).toBe('out\n');
    expect(execution.stderr).toContain('err\n');
    expect(execution.stderr).toContain('UserWarning: careful');
    expect(execution.status).toBe('ok');
  });

  it('reports exceptions with a Jupyter-style traceback, without colour codes', async ({ openSession }) => {
    const session = await openSession();
    const execution = await session.execute('print("before")\n1/0');
    expect(execution.status).toBe('error');
    expect(execution.stdout).toBe('before\n');
    expect(execution.error).toMatchObject({ name: 'ZeroDivisionError', value: 'division by zero' });
    expect(execution.stderr).toContain('Cell In[1], line 2\n      1 print("before")\n----> 2 1/0');
    expect(execution.stderr).not.toContain('Cell In [');
    expect(execution.stderr).toContain('ZeroDivisionError: division by zero');
    expect(execution.stderr).not.toContain('\x1b[');
  });

  it('returns PNGs from plt.show, display() and a PIL image as last expression', async ({ openSession }) => {
    const session = await openSession();
    const shown = await session.execute(
      'import matplotlib.pyplot as plt\nplt.figure(figsize=(2, 1), dpi=50)\nplt.plot([1, 2])\nplt.show()',
    );
    expect(shown.images).toHaveLength(1);
    expect(Buffer.from(shown.images[0]!).subarray(1, 4).toString()).toBe('PNG');
    const displayed = await session.execute(
      'from PIL import Image\nfrom IPython.display import display\ndisplay(Image.new("RGB", (30, 20), "red"))\nImage.new("L", (7, 5))',
    );
    expect(displayed.images).toHaveLength(2);
    expect(await pngSize(displayed.images[0]!)).toEqual([30, 20]);
    expect(await pngSize(displayed.images[1]!)).toEqual([7, 5]);
    expect(displayed.result).toContain('PIL.Image.Image image mode=L size=7x5');
  });

  it('says who displayed each output and where it fell in stdout', async ({ openSession }) => {
    const session = await openSession();
    const execution = await session.execute(
      [
        'import matplotlib.pyplot as plt',
        'print("a")',
        'display("shown text")',
        'plt.plot([1, 2])',
        'plt.show()',
        'plt.figure()',
        'plt.plot([2, 1])',
        '7 * 6',
      ].join('\n'),
    );
    expect(execution.images).toHaveLength(2);
    expect(execution.displays).toEqual([
      { source: 'display', text: "'shown text'", stdoutOffset: 2 },
      { source: 'show', text: expect.stringContaining('<Figure size'), image: 0, stdoutOffset: 2 },
      { source: 'result', text: '42', stdoutOffset: 2 },
      { source: 'auto', text: expect.stringContaining('<Figure size'), image: 1, stdoutOffset: 2 },
    ]);
  });

  it('loads input images as image_1, image_2 before the first call', async ({ openSession }) => {
    const red = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const blue = await sharp({ create: { width: 10, height: 12, channels: 3, background: '#0000ff' } })
      .jpeg()
      .toBuffer();
    const session = await openSession(withImages([red, blue]));
    const execution = await session.execute('print(image_1.size, image_1.getpixel((0, 0)), image_2.size)');
    expect(execution.stdout).toBe('(64, 48) (255, 0, 0) (10, 12)\n');
    expect(execution.executionCount).toBe(1);
  });

  it('caps output and images per call with a visible marker', async ({ openSession }) => {
    const session = await openSession();
    const flood = await session.execute('print("x" * 10_000)');
    expect(flood.truncated).toBe(true);
    expect(flood.stdout.startsWith('x'.repeat(2000))).toBe(true);
    expect(flood.stdout).toContain('[deepeyes: stdout truncated');
    const many = await session.execute(
      'from PIL import Image\nfrom IPython.display import display\nfor i in range(5): display(Image.new("RGB", (4, 4)))',
    );
    expect(many.images).toHaveLength(3);
    expect(many.stderr).toContain('2 image(s) dropped, limit 3 per call');
  });

  it('interrupts a call at its timeout and keeps the variables set before it', async ({ openSession }) => {
    const session = await openSession();
    const execution = await session.execute('import time\nbefore = 7\ntime.sleep(30)\nafter = 1', {
      timeoutMs: 300,
    });
    expect(execution.status).toBe('timeout');
    expect(execution.stderr).toContain('TimeoutError: execution interrupted after its 300 ms timeout');
    expect(execution.durationMs).toBeLessThan(5000);
    const next = await session.execute("print(before, 'after' in globals())");
    expect(next).toMatchObject({ status: 'ok', stdout: '7 False\n' });
  });

  it('kills and replaces a kernel that ignores the interrupt, reloading input images', async ({
    openSession,
  }) => {
    const image = await sharp({ create: { width: 5, height: 6, channels: 3, background: '#00ff00' } })
      .png()
      .toBuffer();
    const session = await openSession(withImages([image]));
    await session.execute('kept = 1');
    const execution = await session.execute(
      'import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True: pass',
      { timeoutMs: 200 },
    );
    expect(execution.status).toBe('killed');
    expect(execution.stderr).toContain('the kernel was killed and replaced');
    const next = await session.execute("print('kept' in globals(), image_1.size)");
    expect(next).toMatchObject({ status: 'ok', stdout: 'False (5, 6)\n' });
  });

  it('reports a kernel that dies as dead, and answers later calls with the same clear error', async ({
    openSession,
  }) => {
    const session = await openSession();
    const execution = await session.execute('import os\nos._exit(3)');
    expect(execution.status).toBe('dead');
    expect(execution.stderr).toContain('KernelDied: the Python kernel died (exit code 3)');
    const next = await session.execute('print(1)');
    expect(next.status).toBe('dead');
    expect(next.stderr).toContain('KernelDied');
    const fresh = await (await openSession()).execute('print(1)');
    expect(fresh.stdout).toBe('1\n');
  });

  it('gives each kernel its own IPython profile dir and directory history, though the shell is built before the fork', async ({
    session,
  }) => {
    const execution = await session.execute(
      'import os\nip = get_ipython()\nprint(os.path.isdir(ip.profile_dir.location), _dh == [os.getcwd()])',
    );
    expect(execution).toMatchObject({ status: 'ok', stdout: 'True True\n' });
  });

  it('keeps sessions apart: variables and scratch files are private', async ({ openSession }) => {
    const first = await openSession();
    const second = await openSession();
    await first.execute('secret = 123\nopen("note.txt", "w").write("mine")');
    const probe = await second.execute(
      "import os\nprint('secret' in globals(), os.path.exists('note.txt'), os.listdir('.'))",
    );
    expect(probe.stdout).toBe('False False []\n');
  });

  it('at maxSessions evicts the least recently used idle session, and refuses only when all are mid-call', async ({
    sandbox,
    openSession,
  }) => {
    const closedIds: string[] = [];
    sandbox.onSessionClosed((id, reason) => closedIds.push(`${id}:${reason}`));
    const open = [];
    for (const n of [1, 2, 3, 4]) open.push(await openSession({ sessionId: `full-${n}` }));
    await open[0]!.execute('1'); // full-2 is now the least recently used
    const fifth = await openSession({ sessionId: 'full-5' });
    expect(closedIds).toEqual(['full-2:evicted']);
    await expect(open[1]!.execute('1')).rejects.toThrow('evicted while idle to make room');
    const live = [open[0]!, open[2]!, open[3]!, fifth];
    // Calls are queued synchronously, so every session is busy from here on.
    const calls = live.map((session) =>
      session.execute('import time\ntime.sleep(60)', { timeoutMs: 120_000 }),
    );
    await expect(sandbox.openSession()).rejects.toMatchObject({
      code: 'sandbox-full',
      message: 'The sandbox has 4 open sessions and every one is running a call',
    });
    await Promise.all(live.map((session) => session.close()));
    for (const execution of await Promise.all(calls)) {
      expect(execution.status).toBe('dead');
      expect(execution.stderr).toContain('SessionClosed: the session was closed while this call ran');
    }
    expect(sandbox.getStats()).toMatchObject({ sessionsEvicted: 1, sessionsRejected: 1 });
    await openSession();
  });

  it('keeps history, Out and tracebacks for a cell carrying a large base64 literal', async ({
    openSession,
  }) => {
    const session = await openSession();
    const payload = 'QUJD'.repeat(100_000); // 400 000 characters, base64 alphabet
    const failed = await session.execute(`\ndata = "${payload}"\nsize = len(data)\n1 / 0\n`);
    expect(failed.status).toBe('error');
    expect(failed.stderr).toContain('Cell In[1], line 3'); // IPython counts from the first non-blank line
    expect(failed.stderr).toContain('----> 3 1 / 0');
    // The long line is shown short in the traceback, and the whole value is intact.
    expect(failed.stderr.length).toBeLessThan(2000);
    const after = await session.execute('print(size, data == "QUJD" * 100_000, len(In[1]), len(_i1))');
    expect(after.stdout).toBe(`400000 True ${payload.length + 33} ${payload.length + 33}\n`);
  });

  it('expires idle sessions after the TTL', async ({ sandbox, openSession }) => {
    const session = await openSession({ sessionId: 'ttl-probe' });
    await session.execute('1');
    expect(sandbox.getSession('ttl-probe')).toBeDefined();
    await sandbox.expireIdleSessions(Date.now() + sandbox.options.sessionTtlMs + 1);
    expect(sandbox.getSession('ttl-probe')).toBeUndefined();
    await expect(session.execute('1')).rejects.toMatchObject({ code: 'session-closed' });
  });
});
