/**
 * `deepeyes train rl --launch local|ray`: the same launch code as `train sft`. Local runs the
 * written script with a stand-in `python3` on PATH (a labelled fake trainer: verl and GPUs are not
 * here) that records its arguments and exits 3; Ray submits to the fake dashboard. Every flag
 * combination the launch would ignore is refused before anything is written.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeRayDashboard, startFakeRayDashboard } from '../../train/testing/fake-ray-dashboard.js';
import { runTrainCli } from '../testing/run-train-cli.js';
import { buildTrainRlCommand } from './train-rl.js';

const root = mkdtempSync(join(tmpdir(), 'deepeyes-train-rl-'));
let dashboard: FakeRayDashboard;
const parquet = join(root, 'rl.parquet');

beforeAll(async () => {
  writeFileSync(parquet, 'PAR1 not really a parquet, hashed as bytes PAR1');
  dashboard = await startFakeRayDashboard({
    tickMs: 10,
    script: () => ({ lines: ['step:1 - critic/score/mean:0.2'], outcome: 'SUCCEEDED' }),
  });
});
afterAll(async () => {
  await dashboard.close();
  rmSync(root, { recursive: true, force: true });
});

const run = (...argv: string[]) =>
  runTrainCli(argv, (train, io) => train.addCommand(buildTrainRlCommand(io)));

const base = (out: string) => [
  'rl',
  '--trainer',
  'verl',
  '--data',
  parquet,
  '--model',
  '/ckpt/sft',
  '--out',
  out,
];

describe('deepeyes train rl --launch', () => {
  it('--launch ray submits bash RUN_DIR/run_rl.sh with the data and config hashes', async () => {
    const out = join(root, 'ray-run');
    const result = await run(
      ...base(out),
      '--launch',
      'ray',
      '--ray',
      dashboard.url,
      '--submission-id',
      'rl-cli-1',
      '--image',
      'verl:0.10',
      '--env',
      'WANDB_MODE=offline',
      '--num-gpus',
      '8',
      '--follow',
    );
    expect(result.code).toBe(0);
    expect(result.out).toContain('submitted rl-cli-1');
    expect(result.out).toContain('step:1 - critic/score/mean:0.2');
    const body = dashboard.submissions.at(-1) as {
      entrypoint: string;
      submission_id: string;
      entrypoint_num_gpus: number;
      metadata: Record<string, string>;
      runtime_env: unknown;
    };
    expect(body.entrypoint).toBe(`bash ${join(out, 'run_rl.sh')}`);
    expect(body.submission_id).toBe('rl-cli-1');
    expect(body.entrypoint_num_gpus).toBe(8);
    expect(body.metadata.deepeyes_kind).toBe('rl');
    expect(body.metadata.data_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.metadata.config_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(body.runtime_env).toEqual({ image_uri: 'verl:0.10', env_vars: { WANDB_MODE: 'offline' } });
    expect(existsSync(join(out, 'run_rl.sh'))).toBe(true);
    expect(existsSync(join(out, 'deepeyes_agent_loops.yaml'))).toBe(true);
  });

  it('writes the checkpoint keys eval-checkpoints needs only when asked', async () => {
    const plain = await run(...base(join(root, 'plain')), '--print');
    expect(plain.out).not.toContain('save_freq');
    expect(plain.out).not.toContain('default_local_dir');
    const saving = await run(
      ...base(join(root, 'saving')),
      '--checkpoint-dir',
      '/shared/runs/rl-1',
      '--save-freq',
      '20',
      '--save-hf',
      '--print',
    );
    expect(saving.code).toBe(0);
    const lines = saving.out.split('\n').map((line) => line.trim().replace(/ \\$/, ''));
    expect(lines).toContain('trainer.default_local_dir=/shared/runs/rl-1');
    expect(lines).toContain('trainer.save_freq=20');
    expect(lines).toContain(
      "actor_rollout_ref.actor.checkpoint.save_contents=['model','optimizer','extra','hf_model']",
    );
  });

  it('--launch local runs the written script and exits with the trainer’s code', async () => {
    const bin = join(root, 'bin');
    mkdirSync(bin, { recursive: true });
    const record = join(root, 'python3-argv.txt');
    // Stand-in trainer: records what the script ran, fails like a crashed run.
    writeFileSync(
      join(bin, 'python3'),
      `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\necho "WANDB_MODE=$WANDB_MODE" >> '${record}'\nexit 3\n`,
    );
    chmodSync(join(bin, 'python3'), 0o755);
    const path = process.env.PATH;
    process.env.PATH = `${bin}:${path}`;
    try {
      const result = await run(
        ...base(join(root, 'local-run')),
        '--launch',
        'local',
        '--env',
        'WANDB_MODE=offline',
      );
      expect(result.code).toBe(3);
      expect(result.err).toContain(`running: bash ${join(root, 'local-run', 'run_rl.sh')}`);
    } finally {
      process.env.PATH = path;
    }
    const argv = readFileSync(record, 'utf8').split('\n');
    expect(argv.slice(0, 2)).toEqual(['-m', 'verl.trainer.main_ppo']);
    expect(argv).toContain(`data.train_files=[${parquet}]`);
    expect(argv).toContain('actor_rollout_ref.model.path=/ckpt/sft');
    expect(argv).toContain('WANDB_MODE=offline');
  });

  const refusals: Array<[string, string[], string]> = [
    ['--print with --launch', ['--print', '--launch', 'local'], '--launch local is ignored with --print'],
    [
      'Ray flags without --launch',
      ['--image', 'verl:0.10', '--num-gpus', '8'],
      '--image, --num-gpus are ignored without --launch',
    ],
    ['--env without --launch', ['--env', 'A=1'], '--env is ignored without --launch'],
    [
      '--ray with --launch local',
      ['--launch', 'local', '--ray', 'http://127.0.0.1:1'],
      '--ray is ignored by --launch local',
    ],
    [
      '--follow with --launch local',
      ['--launch', 'local', '--follow'],
      '--follow is ignored by --launch local',
    ],
    ['--launch ray without a dashboard', ['--launch', 'ray'], '--launch ray needs the dashboard address'],
    [
      'a local --working-dir',
      ['--launch', 'ray', '--ray', 'http://127.0.0.1:1', '--working-dir', './'],
      '--working-dir ./ is a local folder',
    ],
  ];
  it.each(refusals)('refuses %s and writes nothing', async (_name, flags, message) => {
    const address = process.env.RAY_ADDRESS;
    delete process.env.RAY_ADDRESS;
    const out = join(root, `refused-${Math.random().toString(16).slice(2)}`);
    try {
      const result = await run(...base(out), ...flags);
      expect(result.code).toBe(2);
      expect(result.err).toContain(message);
    } finally {
      if (address !== undefined) process.env.RAY_ADDRESS = address;
    }
    expect(existsSync(out)).toBe(false);
  });

  it('refuses --launch without --out (the script it runs is written there)', async () => {
    const result = await run(
      'rl',
      '--trainer',
      'verl',
      '--data',
      parquet,
      '--model',
      'm',
      '--launch',
      'local',
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain('--launch local needs --out');
  });

  it('train sft refuses the same combinations through the same code', async () => {
    const out = join(root, 'sft-refused');
    const result = await run(
      'sft',
      '--data',
      root,
      '--model',
      'm',
      '--out',
      out,
      '--launch',
      'local',
      '--image',
      'x',
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain('--image is ignored by --launch local');
    expect(existsSync(out)).toBe(false);
  });
});
