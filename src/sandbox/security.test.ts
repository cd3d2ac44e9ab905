import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { KernelProcess } from './kernel-process.js';
import { type OpenSession, sandboxTest } from './testing/sandbox-test.js';

// Hostile code, run for real: each test asserts the sandbox contains it and stays usable.
const it = sandboxTest({
  poolSize: 1,
  memoryLimitMb: 256,
  processLimit: 24,
  maxOutputChars: 10_000,
  interruptGraceMs: 1000,
});
let listener: Server;
let listenerPort = 0;
let connectionsSeen = 0;

beforeAll(async () => {
  listener = createServer((socket) => {
    connectionsSeen += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  listenerPort = (listener.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((resolve) => listener?.close(resolve));
});

/** After each attack: a new session still runs code normally. */
async function expectHealthy(openSession: OpenSession): Promise<void> {
  const session = await openSession();
  expect(await session.execute('print(6 * 7)')).toMatchObject({ status: 'ok', stdout: '42\n' });
}

const python = (lines: string[]) => lines.join('\n');

describe('sandbox containment', () => {
  it('has no network: TCP to a host loopback port and DNS both fail', async ({ session }) => {
    const execution = await session.execute(
      python([
        'import socket',
        'results = []',
        'try:',
        `    socket.create_connection(("127.0.0.1", ${listenerPort}), timeout=2); results.append("tcp connected")`,
        'except OSError as error:',
        '    results.append("tcp failed")',
        'try:',
        '    socket.getaddrinfo("example.com", 80); results.append("dns resolved")',
        'except OSError:',
        '    results.append("dns failed")',
        'print(results)',
      ]),
    );
    expect(execution.stdout).toBe("['tcp failed', 'dns failed']\n");
    expect(connectionsSeen).toBe(0);
  });

  it('cannot write outside its scratch dir', async ({ session }) => {
    const execution = await session.execute(
      python([
        'import os',
        'outcomes = {}',
        'for path in ["/x", "/usr/lib/x", "/etc/x", "/inputs/x", "/opt/deepeyes/x", "/sandbox/x", "/proc/x"]:',
        '    try:',
        '        open(path, "w").write("pwned"); outcomes[path] = "written"',
        '    except OSError:',
        '        outcomes[path] = "refused"',
        'open("mine.txt", "w").write("ok"); open("/tmp/t.txt", "w").write("ok")',
        'print(sorted(set(outcomes.values())), os.getcwd(), os.listdir("."))',
      ]),
    );
    expect(execution.stdout).toBe("['refused'] /scratch ['mine.txt']\n");
  });

  it('cannot see the host repo, home directories or other sessions', async ({ session, openSession }) => {
    const other = await openSession();
    await other.execute('secret = "hunter2"\nopen("secret.txt", "w").write(secret)');
    const execution = await session.execute(
      python([
        'import os',
        `paths = ["/work", "/root", "/home", ${JSON.stringify(process.cwd())}, "/proc/1/root/work"]`,
        'print([p for p in paths if os.path.exists(p)])',
        'print(os.listdir("/sandbox"), sorted(int(p) for p in os.listdir("/proc") if p.isdigit())[:1])',
        'import subprocess',
        'print(subprocess.run(["grep", "-rl", "hunter2", "/tmp", "/scratch", "/sandbox", "/inputs"], capture_output=True).stdout)',
        'print(os.getuid() != 0, "secret" in globals())',
      ]),
    );
    expect(execution.stdout).toBe("[]\n[] [1]\nb''\nTrue False\n");
  });

  it('stops a fork bomb at the process limit with a clear error', async ({ session, openSession }) => {
    const execution = await session.execute(
      python([
        'import os',
        'children = 0',
        'while True:',
        '    if os.fork() == 0:',
        '        continue',
        '    children += 1',
      ]),
      { timeoutMs: 10_000 },
    );
    expect(['error', 'timeout', 'killed']).toContain(execution.status);
    expect(execution.stderr).toMatch(/BlockingIOError|Resource temporarily unavailable|TimeoutError/);
    await expectHealthy(openSession);
  });

  it('reaps children nobody waited for before they use up the process limit', async ({ session }) => {
    const leak = python([
      'import os',
      'done_reading, done_writing = os.pipe()',
      'for _ in range(10):',
      '    if os.fork() == 0:',
      '        os._exit(0)',
      'os.close(done_writing)',
      // Every child holds the pipe's write end until it exits: end of file means all ten have.
      'os.read(done_reading, 1)',
      'os.close(done_reading)',
    ]);
    // 40 zombies would be far past the limit of 24 processes; each call ends with them reaped.
    for (let round = 0; round < 4; round += 1) {
      const execution = await session.execute(leak, { timeoutMs: 10_000 });
      expect(execution.status).toBe('ok');
      expect(execution.stderr).toContain('reaped 10 finished child processes');
    }
    const waited = await session.execute(
      python(['import subprocess', 'print(subprocess.run(["true"]).returncode)']),
    );
    expect(waited).toMatchObject({ status: 'ok', stdout: '0\n' });
  });

  it('ends a kernel whose code corrupts its own connection, at once, and the server carries on', async ({
    session,
    openSession,
  }) => {
    const execution = await session.execute(
      python([
        'import os',
        'for fd in range(3, 256):',
        '    try:',
        '        if "socket" in os.readlink(f"/proc/self/fd/{fd}"):',
        '            os.write(fd, b"\\xff" * 64)',
        '    except OSError:',
        '        pass',
        'import time',
        'time.sleep(30)',
      ]),
      { timeoutMs: 20_000 },
    );
    // Dead, not timed out or killed at the 20 s limit: the broken connection ended the call.
    expect(execution.status).toBe('dead');
    await expectHealthy(openSession);
  });

  it('stops a memory bomb at the memory limit with a MemoryError', async ({ session, openSession }) => {
    const execution = await session.execute(
      python(['blocks = []', 'while True:', '    blocks.append(bytearray(32 * 1024 * 1024))']),
      { timeoutMs: 10_000 },
    );
    expect(execution.status).toBe('error');
    expect(execution.error?.name).toBe('MemoryError');
    const after = await session.execute('del blocks\nprint("recovered")');
    expect(after.stdout).toBe('recovered\n');
    await expectHealthy(openSession);
  });

  it('reports a kernel that crashes as dead with the cause, and the server stays healthy', async ({
    session,
    openSession,
  }) => {
    const execution = await session.execute('import ctypes\nctypes.string_at(0)');
    expect(execution.status).toBe('dead');
    expect(execution.stderr).toContain('KernelDied: the Python kernel died (killed by SIGSEGV)');
    expect((await session.execute('1')).status).toBe('dead');
    await expectHealthy(openSession);
  });

  it('cuts an output flood at the limit and interrupts it at the timeout', async ({
    session,
    openSession,
  }) => {
    const execution = await session.execute('while True:\n    print("y" * 1000)', { timeoutMs: 1000 });
    expect(execution.status).toBe('timeout');
    expect(execution.truncated).toBe(true);
    expect(execution.stdout.length).toBeLessThan(11_000);
    expect(execution.stdout).toContain('[deepeyes: stdout truncated');
    expect((await session.execute('print("next")')).stdout).toBe('next\n');
    await expectHealthy(openSession);
  });

  it('interrupts an infinite loop and keeps the session usable', async ({ session }) => {
    const execution = await session.execute('count = 0\nwhile True:\n    count += 1', { timeoutMs: 500 });
    expect(execution.status).toBe('timeout');
    expect((await session.execute('count > 0')).result).toBe('True');
  });

  it('kills every process of a killed kernel, so nothing outlives its session', async ({ session }) => {
    const execution = await session.execute(
      python([
        'import os, signal, time',
        'signal.signal(signal.SIGINT, signal.SIG_IGN)',
        'if os.fork() == 0:',
        '    time.sleep(3600)',
        'while True: pass',
      ]),
      { timeoutMs: 300 },
    );
    expect(execution.status).toBe('killed');
    const processes = await session.execute(
      'import os\nprint(len([p for p in os.listdir("/proc") if p.isdigit()]))',
    );
    expect(processes.stdout).toBe('1\n');
  });

  it('ends a closed kernel by its kill signal, without the helper running interpreter shutdown', async ({
    session,
    openSession,
  }) => {
    const kernel = (session as unknown as { kernel: KernelProcess }).kernel;
    await session.execute('print(1)');
    await session.close();
    // The helper re-raises the kernel's signal on itself. It once failed to (SIGKILL cannot be
    // given a handler), fell back into the zygote's loop and exited 0 after copying the heap.
    expect(await kernel.exited).toEqual({ code: null, signal: 9 });
    await expectHealthy(openSession);
  });
});
