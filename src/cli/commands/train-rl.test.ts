import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../errors.js';
import { buildRlLaunch } from '../../train/rl/verl-command.js';
import { memoryIO } from '../io.js';
import { trainRlCommand } from './train-rl.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../train/rl/__fixtures__/${name}`, import.meta.url), 'utf8');

describe('deepeyes train rl (golden launches)', () => {
  it('writes the fork launch: the release defaults, our env workers and reward', async () => {
    const io = memoryIO();
    const launch = await trainRlCommand(
      {
        trainer: 'deepeyesv2-fork',
        data: 'perception.parquet,reason.parquet,search.parquet',
        valData: 'vstar.parquet',
        model: '/ckpt/sft',
        print: true,
      },
      io,
    );
    expect(launch.script).toBe(fixture('fork-grpo.sh'));
    expect(io.stdout.join('')).toBe(fixture('fork-grpo.sh'));
    expect(launch.files).toEqual({});
  });

  it('writes the upstream verl 0.9 DAPO launch and its agent-loop YAML', () => {
    const launch = buildRlLaunch({
      trainer: 'verl',
      verlVersion: '0.9',
      algorithm: 'dapo',
      data: ['rl.parquet'],
      model: '/ckpt/sft',
    });
    expect(launch.script).toBe(fixture('verl-0.9-dapo.sh'));
    expect(launch.files['deepeyes_agent_loops.yaml']).toBe(fixture('deepeyes_agent_loops.yaml'));
    // verl ≥ 0.9 reads the reward only under reward.*; no legacy top-level key may appear.
    expect(
      launch.overrides.filter((override) => /^(custom_reward_function|reward_model)\./.test(override)),
    ).toEqual([]);
  });

  it.each([
    [{ trainer: 'verl', dynamicSampling: true }, /dynamic sampling/],
    [{ trainer: 'deepeyesv2-fork', dynamicSampling: true }, /dynamic sampling/],
    [{ trainer: 'verl', rolloutMode: 'sync' }, /async/],
    [{ trainer: 'verl', verlVersion: '0.10', legacyRewardKeys: true }, /silently ignores/],
    [{ trainer: 'deepeyesv2-fork', verlVersion: '0.9' }, /--trainer verl only/],
    [{ trainer: 'verl', batchSize: 100, miniBatchSize: 32 }, /multiple/],
    [{ trainer: 'verl', turnMaxTokens: 20_000 }, /exceeds --max-response-length/],
    [{ trainer: 'verl', envWorkers: 32 }, /--env-workers applies to --trainer deepeyesv2-fork only/],
    [{ trainer: 'deepeyesv2-fork', rolloutMode: 'async' }, /--rollout-mode applies to --trainer verl only/],
  ] as const)('refuses %j', (options, message) => {
    expect(() => buildRlLaunch({ data: ['d.parquet'], model: 'm', ...options })).toThrow(message);
    try {
      buildRlLaunch({ data: ['d.parquet'], model: 'm', ...options });
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
    }
  });

  it('names a missing flag', async () => {
    await expect(trainRlCommand({ trainer: 'verl', model: 'm' }, memoryIO())).rejects.toThrow(/--data/);
  });
});
