import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeRayDashboard, startFakeRayDashboard } from '../../train/testing/fake-ray-dashboard.js';
import { runTrainCli } from '../testing/run-train-cli.js';

const root = mkdtempSync(join(tmpdir(), 'deepeyes-train-cli-'));
let dashboard: FakeRayDashboard;
beforeAll(async () => {
  dashboard = await startFakeRayDashboard({
    tickMs: 10,
    script: (entrypoint) =>
      entrypoint.includes('boom')
        ? { lines: ['step:1 - critic/score/mean:0.1', 'RuntimeError: boom'], outcome: 'FAILED', exitCode: 7 }
        : {
            lines: [
              'step:1 - critic/score/mean:0.1 - response_length/mean:900',
              'step:2 - critic/score/mean:0.3 - response_length/mean:800',
            ],
            outcome: 'SUCCEEDED',
          },
  });
});
afterAll(async () => {
  await dashboard.close();
  rmSync(root, { recursive: true, force: true });
});

const run = (...argv: string[]) => runTrainCli(argv);

function makeExport(manifest: Record<string, unknown>) {
  const directory = join(root, `export-${Math.random().toString(16).slice(2)}`);
  mkdirSync(join(directory, 'images'), { recursive: true });
  writeFileSync(join(directory, 'sft.json'), '[]');
  writeFileSync(
    join(directory, 'dataset_info.json'),
    JSON.stringify({ deepeyes_sft: { file_name: 'sft.json', formatting: 'sharegpt' } }),
  );
  writeFileSync(join(directory, 'export-manifest.json'), JSON.stringify(manifest));
  return directory;
}

describe('deepeyes train sft', () => {
  const manifest = { image_max_pixels: 262144, cutoff_len: 20480, template: 'qwen2_vl', media_dir: 'images' };

  it('writes sft.yaml and ds_z3_config.json that point at the export', async () => {
    const data = makeExport(manifest);
    const out = join(root, 'run-1');
    const result = await run(
      'sft',
      '--data',
      data,
      '--model',
      'Qwen/Qwen2.5-VL-7B-Instruct',
      '--out',
      out,
      '--gpus',
      '8',
    );
    expect(result.code).toBe(0);
    const yaml = readFileSync(join(out, 'sft.yaml'), 'utf8');
    expect(yaml).toContain(
      `dataset: deepeyes_sft\ndataset_dir: ${data}\nmedia_dir: ${join(data, 'images')}\n`,
    );
    expect(yaml).toContain('gradient_accumulation_steps: 16\n');
    expect(JSON.parse(readFileSync(join(out, 'ds_z3_config.json'), 'utf8')).zero_optimization.stage).toBe(3);
  });

  it('refuses a --set that contradicts the export, and writes nothing', async () => {
    const data = makeExport(manifest);
    const out = join(root, 'run-2');
    const result = await run(
      'sft',
      '--data',
      data,
      '--model',
      'm',
      '--out',
      out,
      '--set',
      'cutoff_len=32768',
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain('cutoff_len 32768 differs from the 20480 the export validated');
    expect(existsSync(out)).toBe(false);
  });

  it('--launch local says clearly when llamafactory-cli is not installed', async () => {
    const data = makeExport(manifest);
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const result = await run(
        'sft',
        '--data',
        data,
        '--model',
        'm',
        '--out',
        join(root, 'run-3'),
        '--launch',
        'local',
      );
      expect(result.code).toBe(2);
      expect(result.err).toContain(
        'error [launch-not-installed]: llamafactory-cli is not installed (not found on PATH)',
      );
    } finally {
      process.env.PATH = path;
    }
  });

  it('--launch ray submits llamafactory-cli with the data and config hashes', async () => {
    const data = makeExport(manifest);
    const out = join(root, 'run-4');
    const result = await run(
      'sft',
      '--data',
      data,
      '--model',
      'm',
      '--out',
      out,
      '--launch',
      'ray',
      '--ray',
      dashboard.url,
      '--submission-id',
      'sft-cli-1',
      '--image',
      'img:1',
      '--env',
      'WANDB_MODE=offline',
      '--num-gpus',
      '8',
    );
    expect(result.code).toBe(0);
    const body = dashboard.submissions.at(-1) as {
      entrypoint: string;
      metadata: Record<string, string>;
      runtime_env: unknown;
    };
    expect(body.entrypoint).toBe(`llamafactory-cli train ${join(out, 'sft.yaml')}`);
    expect(Object.keys(body.metadata).sort()).toEqual([
      'config_hash',
      'data_hash',
      'deepeyes_kind',
      'deepeyes_version',
    ]);
    expect(body.runtime_env).toEqual({
      image_uri: 'img:1',
      env_vars: { FORCE_TORCHRUN: '1', WANDB_MODE: 'offline' },
    });
  });

  it('refuses a local --working-dir', async () => {
    const result = await run(
      'submit',
      '--ray',
      dashboard.url,
      '--working-dir',
      './',
      '--',
      'python3',
      'x.py',
    );
    expect(result.code).toBe(2);
    expect(result.err).toContain('--working-dir ./ is a local folder');
  });
});

describe('deepeyes train jobs', () => {
  it('submits, follows a failing job to its exit code, and reads its metrics', async () => {
    const submitted = await run(
      'submit',
      '--ray',
      dashboard.url,
      '--submission-id',
      'cli-boom',
      '--',
      'bash',
      '-c',
      'boom',
    );
    expect(submitted.out).toBe(`submitted cli-boom to ${dashboard.url}\n`);
    const followed = await run('logs', 'cli-boom', '--ray', dashboard.url, '--follow');
    expect(followed.out).toBe('step:1 - critic/score/mean:0.1\nRuntimeError: boom\n');
    expect(followed.code).toBe(7);
    const status = await run('status', 'cli-boom', '--ray', dashboard.url);
    expect(status.out).toMatch(/^cli-boom {2}FAILED /);
    const unknown = await run('stop', 'nope', '--ray', dashboard.url);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain(`the Ray cluster at ${dashboard.url} has no job nope`);
  });

  it('train metrics --job --follow stores the followed log and draws curves', async () => {
    await run(
      'submit',
      '--ray',
      dashboard.url,
      '--submission-id',
      'cli-ok',
      '--',
      'python3',
      '-m',
      'verl.trainer.main_ppo',
    );
    const out = join(root, 'metrics-ray');
    const result = await run(
      'metrics',
      '--ray',
      dashboard.url,
      '--job',
      'cli-ok',
      '--follow',
      '--out',
      out,
      '--no-png',
    );
    expect(result.code).toBe(0);
    expect(result.out).toContain('2 curve(s): reward-accuracy, response-length\n');
  });

  it('says the dashboard is unreachable', async () => {
    const result = await run('list', '--ray', 'http://127.0.0.1:1', '--timeout', '1');
    expect(result.code).toBe(1);
    expect(result.err).toContain(
      'error [ray-unreachable]: cannot reach the Ray dashboard at http://127.0.0.1:1',
    );
  });
});
