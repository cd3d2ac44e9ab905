/**
 * The real `deepeyes` executable under signals: it is one process (no launcher that can die alone), SIGTERM
 * and Ctrl-C stop a server with its kernels, and nothing is left behind (checked with `ps`).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type DeepeyesProcess,
  descendants,
  expectAllExited,
  killStarted,
  type Proc,
  pollProcesses,
  startDeepeyes,
} from './helpers/deepeyes-process.js';

afterEach(killStarted);

/** A sandbox server with a warm kernel, and every process under it. */
async function sandboxServer(): Promise<{ server: DeepeyesProcess; tree: Proc[] }> {
  const server = startDeepeyes(['sandbox', 'serve', '--port', '0', '--pool-size', '1']);
  await server.waitForOutput(/listening on/);
  // The warm kernel is forked after the banner, with no output of its own: only ps shows it.
  const tree = await pollProcesses('a warm kernel under sandbox serve', () => {
    const tree = descendants(server.pid);
    return tree.filter((p) => p.comm.startsWith('python')).length >= 2 ? tree : undefined;
  });
  return { server, tree };
}

describe('deepeyes under signals', () => {
  it('is one process: no node child under the command (the CLI runs in it)', async () => {
    const { server, tree } = await sandboxServer();
    expect(tree.filter((p) => p.ppid === server.pid && p.comm === 'node')).toEqual([]);
    server.signal('SIGTERM');
    await server.exited;
  });

  it('SIGTERM to the deepeyes PID stops sandbox serve and every kernel under it', async () => {
    const { server, tree } = await sandboxServer();
    server.signal('SIGTERM');
    expect(await server.exited).toEqual({ code: 0, signal: null });
    await expectAllExited(tree);
    expect(server.stderr()).toContain('shutting down');
  });

  it('Ctrl-C to the process group reaches the CLI once and leaves nothing behind', async () => {
    const { server, tree } = await sandboxServer();
    server.signal('SIGINT', 'group');
    expect((await server.exited).code).toBe(0);
    expect(server.stderr().match(/shutting down/g)).toHaveLength(1);
    await expectAllExited(tree);
  });

  it('view: SIGTERM and Ctrl-C close the viewer and exit 0 (the port stops answering)', async () => {
    const runs = mkdtempSync(join(tmpdir(), 'deepeyes-view-signals-'));
    for (const [target, signal] of [
      ['pid', 'SIGTERM'],
      ['group', 'SIGINT'],
    ] as const) {
      const viewer = startDeepeyes(['view', '--port', '0', runs]);
      const [, url] = await viewer.waitForOutput(/deepeyes view on (\S+)/);
      expect((await fetch(`${url}api/runs`)).status).toBeLessThan(500);
      viewer.signal(signal, target);
      const { code, signal: exitSignal } = await viewer.exited;
      expect({ signal, code, exitSignal }).toEqual({ signal, code: 0, exitSignal: null });
      await expect(fetch(url as string)).rejects.toThrow();
    }
  });
});
