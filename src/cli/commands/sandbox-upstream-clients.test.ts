import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../io.js';
import { type RunningSandboxServer, serveSandbox } from './sandbox.js';

// DeepEyesV2's own clients, unmodified, extracted from the mirrored release at test time
// (never committed) and run under Debian's Python against a live `sandbox serve`.
const UPSTREAM = '/work/.mirror/Visual-Agent+DeepEyesV2/repo';
const FIXTURES = fileURLToPath(new URL('../../serve/__fixtures__/upstream-clients/', import.meta.url));
const run = promisify(execFile);

let work: string;
let images: string;
let server: RunningSandboxServer;

function extract(upstreamPath: string, to: string): void {
  mkdirSync(join(to, '..'), { recursive: true });
  writeFileSync(to, execFileSync('git', ['-C', UPSTREAM, 'show', `HEAD:${upstreamPath}`]));
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'deepeyes-upstream-'));
  // The images live outside /tmp (the kernel has its own /tmp) and are shared with --ro-path.
  images = mkdtempSync('/var/tmp/deepeyes-lmudata-');
  chmodSync(images, 0o755);
  await Promise.all(
    Array.from({ length: 150 }, (_, index) =>
      sharp({
        create: {
          width: 64,
          height: 48,
          channels: 3,
          background: { r: index % 256, g: (index * 7) % 256, b: 9 },
        },
      })
        .png()
        .toFile(join(images, `item-${index}.png`)),
    ),
  );
  extract('evaluation/VLMEvalKit/vlmeval/api/agent_utils.py', join(work, 'eval', 'agent_utils.py'));
  const env = join(work, 'rl', 'verl', 'workers', 'agent');
  extract('reinforcement_learning/verl/workers/agent/tool_envs.py', join(env, 'tool_envs.py'));
  for (const name of ['deepeyesv2.py', 'prompt.py']) {
    extract(
      `reinforcement_learning/verl/workers/agent/envs/deepeyesv2/${name}`,
      join(env, 'envs', 'deepeyesv2', name),
    );
  }
  // verl's real package __init__ files import torch and Ray; empty ones stand in.
  for (const dir of [
    'verl',
    'verl/workers',
    'verl/workers/agent',
    'verl/workers/agent/envs',
    'verl/workers/agent/envs/deepeyesv2',
  ]) {
    writeFileSync(join(work, 'rl', dir, '__init__.py'), '');
  }
  copyFileSync(join(FIXTURES, 'search_utils.py'), join(env, 'envs', 'deepeyesv2', 'search_utils.py'));
  for (const side of ['eval', 'rl'])
    copyFileSync(join(FIXTURES, 'requests.py'), join(work, side, 'requests.py'));
  // Default flags but the shared image folder, as the documented VLMEvalKit recipe runs it.
  server = await serveSandbox({ port: 0, roPath: [images] }, memoryIO());
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
  if (images) rmSync(images, { recursive: true, force: true });
});

async function python(dir: string, script: string, args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run('/usr/bin/python3', [join(FIXTURES, script), ...args], {
    cwd: dir,
    env: { PATH: '/usr/bin:/bin', PYTHONPATH: dir, ...env },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 240_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

describe("DeepEyesV2's unmodified clients against deepeyes sandbox serve", () => {
  it('VLMEvalKit flow: 150 items, a new never-cleared session each, images by host path: every item runs', async () => {
    const summary = await python(join(work, 'eval'), 'vlmevalkit_flow.py', [images, '150', '4'], {
      CODE_SERVER_BASE: `${server.url}/jupyter_sandbox`,
    });
    expect(summary.failures).toEqual([]);
    expect(summary.ran).toBe(150);
    // Past --max-sessions (64) the oldest idle items were evicted, not refused.
    expect(server.sandbox.getStats().sessionsEvicted).toBeGreaterThanOrEqual(150 - 64);
    expect(server.sandbox.getStats().sessionsRejected).toBe(0);
    // A refusal reaches the client as a v1 envelope it can read, not a crash.
    expect(summary.refused).toEqual({
      status: 'error',
      stdout: '',
      result: null,
      stderr: 'Invalid request: timeout: timeout is in seconds and may be at most 86400 (24 h)\n',
    });
  }, 240_000);

  it('RL environment: base64 init cell, code actions, tracebacks and its error handling', async () => {
    const report = await python(join(work, 'rl'), 'rl_env_flow.py', [`${server.url}/jupyter_sandbox`]);
    expect(report.init).toEqual({ status: 'success', stdout: '', stderr: '', result: 'None' });
    expect(report.print.done).toBe(false);
    expect(report.print.obs).toContain('(2000, 1500) (14, 200, 100)\nOut[1]: (2000, 1500)');
    expect(report.plot.images).toEqual([expect.any(Array)]);
    expect(report.plot.prompt).toContain('<image>');
    expect(report.error.done).toBe(false);
    // Every cell reads as cell 1, as in the reference: the call's own and the one defining f.
    expect(report.error.obs).toContain('Cell In[1], line 2\n      1 x = 1\n----> 2 y = f(x)\n');
    expect(report.error.obs).toContain('Cell In[1], line 2, in f(a)');
    expect(report.error.obs).toContain('ZeroDivisionError: division by zero');
    expect(report.syntax.obs).toContain('SyntaxError - ');
    expect(report.refused).toEqual({ obs: 'Code execution error', done: true });
  }, 120_000);
});
