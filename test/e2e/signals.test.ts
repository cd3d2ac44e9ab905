/**
 * The real `deepeyes` executable under signals: it is one process (no launcher that can die alone), SIGTERM
 * and Ctrl-C stop a server with its kernels, and nothing is left behind (checked with `ps`).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

type Proc = { pid: number; ppid: number; comm: string };

function processTable(): Proc[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [pid, ppid, ...comm] = line.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), comm: comm.join(' ') };
    });
}

function descendants(root: number): Proc[] {
  const table = processTable();
  const found: Proc[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const children = table.filter((p) => frontier.includes(p.ppid));
    found.push(...children);
    frontier = children.map((p) => p.pid);
  }
  return found;
}

function alive(pids: number[]): number[] {
  const now = new Set(processTable().map((p) => p.pid));
  return pids.filter((pid) => now.has(pid));
}

async function waitFor<T>(what: string, probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

type Started = {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<[number | null, string | null]>;
};

function start(args: string[]): Started {
  // detached: its own process group, so a test can signal the group as a terminal's Ctrl-C does.
  const child = spawn(process.execPath, ['bin/deepeyes.js', ...args], { detached: true, stdio: 'pipe' });
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => (out += chunk));
  child.stderr?.on('data', (chunk) => (err += chunk));
  const exited = new Promise<[number | null, string | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  started.push(child);
  return { child, stdout: () => out, stderr: () => err, exited };
}

const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
});

/** A sandbox server with a warm kernel, and every process under it. */
async function sandboxServer(): Promise<{ server: Started; tree: Proc[] }> {
  const server = start(['sandbox', 'serve', '--port', '0', '--pool-size', '1']);
  await waitFor('the banner', () => (server.stdout().includes('listening on') ? true : undefined));
  const pid = server.child.pid as number;
  const tree = await waitFor('a warm kernel', () => {
    const tree = descendants(pid);
    return tree.filter((p) => p.comm.startsWith('python')).length >= 2 ? tree : undefined;
  });
  return { server, tree };
}

describe('deepeyes under signals', () => {
  it('is one process: no node child under the command (the CLI runs in it)', async () => {
    const { server, tree } = await sandboxServer();
    const pid = server.child.pid as number;
    expect(tree.filter((p) => p.ppid === pid && p.comm === 'node')).toEqual([]);
    process.kill(pid, 'SIGTERM');
    await server.exited;
  });

  it('SIGTERM to the deepeyes PID stops sandbox serve and every kernel under it', async () => {
    const { server, tree } = await sandboxServer();
    process.kill(server.child.pid as number, 'SIGTERM');
    const [code, signal] = await server.exited;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    await waitFor(
      'the kernels to exit',
      () => (alive(tree.map((p) => p.pid)).length === 0 ? true : undefined),
      10_000,
    );
    expect(server.stderr()).toContain('shutting down');
  });

  it('Ctrl-C to the process group reaches the CLI once and leaves nothing behind', async () => {
    const { server, tree } = await sandboxServer();
    process.kill(-(server.child.pid as number), 'SIGINT');
    const [code] = await server.exited;
    expect(code).toBe(0);
    expect(server.stderr().match(/shutting down/g)).toHaveLength(1);
    await waitFor(
      'the kernels to exit',
      () => (alive(tree.map((p) => p.pid)).length === 0 ? true : undefined),
      10_000,
    );
  });

  it('view: SIGTERM and Ctrl-C close the viewer and exit 0 (the port stops answering)', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'deepeyes-view-signals-'));
    for (const [target, signal] of [
      ['pid', 'SIGTERM'],
      ['group', 'SIGINT'],
    ] as const) {
      const viewer = start(['view', '--port', '0', runs]);
      const url = await waitFor('the view banner', () => /deepeyes view on (\S+)/.exec(viewer.stdout())?.[1]);
      expect((await fetch(`${url}api/runs`)).status).toBeLessThan(500);
      const pid = viewer.child.pid as number;
      process.kill(target === 'group' ? -pid : pid, signal);
      const [code, exitSignal] = await viewer.exited;
      expect({ signal, code, exitSignal }).toEqual({ signal, code: 0, exitSignal: null });
      await expect(fetch(url)).rejects.toThrow();
    }
  });
});
