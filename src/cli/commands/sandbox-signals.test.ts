import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const entry = fileURLToPath(new URL('../entry.ts', import.meta.url));
let server: ChildProcess | undefined;

afterAll(() => {
  if (server?.exitCode === null) server.kill('SIGKILL');
});

/** Every live descendant of `pid` (bwrap, the zygote, kernels), read from /proc. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const taskDir = `/proc/${current}/task`;
    if (!existsSync(taskDir)) continue;
    for (const task of readdirSync(taskDir)) {
      let children = '';
      try {
        children = readFileSync(`${taskDir}/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter(Boolean).map(Number)) {
        found.push(child);
        pending.push(child);
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}

describe('deepeyes sandbox serve and SIGTERM (the real process)', () => {
  it('drains, answers a call still running at the deadline with "shutting down", and leaves no process', async () => {
    server = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        entry,
        'sandbox',
        'serve',
        '--port',
        '0',
        '--pool-size',
        '0',
        '--drain-timeout',
        '1',
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: server!.stdout! }).on('line', (line) => {
        const match = /listening on (http:\/\/\S+)/.exec(line);
        if (match) resolve(match[1]!);
      });
      void exited.then(() => reject(new Error('sandbox serve exited before listening')));
    });
    const call = fetch(`${url}/jupyter_sandbox`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: 'long', code: 'import time\ntime.sleep(60)', timeout: 120 }),
    });
    await vi.waitFor(
      async () =>
        expect(((await (await fetch(`${url}/health`)).json()) as { sessions: number }).sessions).toBe(1),
      { timeout: 20_000, interval: 50 },
    );
    const tree = descendants(server.pid!);
    expect(tree.length).toBeGreaterThanOrEqual(3); // bwrap, zygote, a kernel (and its helper)
    server.kill('SIGTERM');
    const answer = (await (await call).json()) as { status: string; output: { stderr: string } };
    expect(answer.status).toBe('success');
    expect(answer.output.stderr).toContain('ServerShuttingDown: the sandbox server is shutting down');
    expect(answer.output.stderr).not.toContain('limit');
    expect(await exited).toBe(0);
    await vi.waitFor(() => expect(tree.filter(alive)).toEqual([]), { timeout: 5000, interval: 50 });
  }, 60_000);
});
