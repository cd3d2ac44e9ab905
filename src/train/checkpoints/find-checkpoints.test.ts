import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { findCheckpoints } from './find-checkpoints.js';
import { checkServeTemplate, fillServeTemplate } from './serve-checkpoint.js';

const root = mkdtempSync(join(tmpdir(), 'deepeyes-find-ckpt-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const folder = (...parts: string[]) => mkdirSync(join(root, ...parts), { recursive: true });

describe('findCheckpoints', () => {
  it('finds verl and LLaMA-Factory checkpoints by step, in step order, and notes unservable verl steps', () => {
    folder('a', 'checkpoints', 'p', 'e', 'global_step_40', 'actor', 'huggingface');
    folder('a', 'checkpoints', 'p', 'e', 'global_step_5', 'actor', 'huggingface');
    folder('a', 'checkpoints', 'p', 'e', 'global_step_60', 'actor');
    // Our own eval runs and a checkpoint's inside are never taken for checkpoints.
    folder('a', 'checkpoint-eval', 'vstar', 'checkpoint-7');
    folder('a', 'checkpoints', 'p', 'e', 'global_step_40', 'actor', 'huggingface', 'checkpoint-9');
    const found = findCheckpoints(join(root, 'a'));
    expect(found.checkpoints.map((checkpoint) => [checkpoint.step, checkpoint.trainer])).toEqual([
      [5, 'verl'],
      [40, 'verl'],
    ]);
    expect(found.checkpoints[1]!.path).toBe(
      join(root, 'a', 'checkpoints', 'p', 'e', 'global_step_40', 'actor', 'huggingface'),
    );
    expect(found.notes).toHaveLength(1);
    expect(found.notes[0]).toContain('global_step_60: no actor/huggingface to serve');

    folder('b', 'output', 'checkpoint-500');
    folder('b', 'output', 'checkpoint-1000');
    expect(findCheckpoints(join(root, 'b')).checkpoints.map((checkpoint) => checkpoint.step)).toEqual([
      500, 1000,
    ]);
  });

  it('refuses two checkpoints of one step and a run that is not a folder', () => {
    folder('c', 'sft', 'checkpoint-100');
    folder('c', 'rl', 'global_step_100', 'actor', 'huggingface');
    expect(() => findCheckpoints(join(root, 'c'))).toThrow(/two checkpoints for step 100/);
    expect(() => findCheckpoints(join(root, 'nope'))).toThrow(UserError);
  });
});

describe('serve command template', () => {
  it('fills {path} shell-quoted, {port} and {step}', () => {
    expect(
      fillServeTemplate('vllm serve {path} --port {port} --served-model-name s{step}', {
        path: "/runs/my run/it's",
        port: 8123,
        step: 40,
      }),
    ).toBe(`vllm serve '/runs/my run/it'"'"'s' --port 8123 --served-model-name s40`);
    expect(() => checkServeTemplate('vllm serve {path} --port {port}')).not.toThrow();
    expect(() => checkServeTemplate('vllm serve --port {port}')).toThrow(/no \{path\}/);
  });
});
