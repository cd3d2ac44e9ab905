/** The real `deepeyes` executable, as a user types it. */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const IMAGE = 'assets/demo/images/loading-bay.png';
const QUESTION = 'What number is printed on the small blue tag on the floor?';

async function deepeyes(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/deepeyes.js', ...args], {
      timeout: 120_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'deepeyes-cli-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('deepeyes CLI', () => {
  it('documents its commands in --help', async () => {
    const { code, stdout } = await deepeyes(['--help']);
    expect(code).toBe(0);
    for (const command of ['run', 'demo', 'sandbox'])
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('replays a recorded library, then replays the trajectory it wrote, with the same result', async () => {
    const first = await deepeyes([
      'run',
      '--replay',
      'assets/demo/replay.jsonl',
      '--image',
      IMAGE,
      '--question',
      QUESTION,
      '--json',
      '--out',
      outDir,
    ]);
    expect(first.code).toBe(0);
    const summary = JSON.parse(first.stdout);
    expect(summary).toMatchObject({
      answer: '47',
      turns: 2,
      stop_reason: 'answer',
      model: 'replay:replay.jsonl',
    });
    expect(summary.tool_calls[0]).toMatchObject({
      tool: 'code',
      stdout: 'crop size: (600, 360)\n',
      imageCount: 1,
    });

    const again = await deepeyes([
      'run',
      '--replay',
      summary.trajectory_path,
      '--image',
      IMAGE,
      '--question',
      QUESTION,
      '--json',
      '--out',
      outDir,
    ]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({
      answer: '47',
      model: 'replay:trajectory.json',
      tool_calls: summary.tool_calls,
    });
  });

  it('says what to do when no model is given', async () => {
    const { code, stderr } = await deepeyes(['run', '--image', IMAGE, '--question', QUESTION]);
    expect(code).toBe(2);
    expect(stderr).toContain('error [model-missing]: no model given');
    expect(stderr).toContain('hint: pass --model');
  });

  it('rejects an unknown mode with the allowed values', async () => {
    const { code, stderr } = await deepeyes([
      'run',
      '--replay',
      'x',
      '--mode',
      'chat',
      '--image',
      IMAGE,
      '--question',
      'q',
    ]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--mode: .*agent.*code.*think.*direct/);
  });
});
