import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeepeyesError, UserError } from '../../errors.js';
import { launchTraining } from '../launch/launch-training.js';
import { type FakeRayDashboard, startFakeRayDashboard } from '../testing/fake-ray-dashboard.js';
import { buildSubmission, checkWorkingDir, shellJoin } from './build-submission.js';
import { RayDashboardError, RayJobsClient } from './ray-jobs-client.js';

let dashboard: FakeRayDashboard;
let client: RayJobsClient;

beforeAll(async () => {
  dashboard = await startFakeRayDashboard({
    tickMs: 15,
    script: (entrypoint) =>
      entrypoint.includes('fail')
        ? {
            lines: [
              'step:1 - critic/score/mean:0.25',
              'Traceback (most recent call last):',
              'RuntimeError: CUDA out of memory',
            ],
            outcome: 'FAILED',
            exitCode: 3,
          }
        : entrypoint.includes('long')
          ? {
              lines: Array.from({ length: 500 }, (_, index) => `step:${index + 1} - loss:0.1`),
              outcome: 'SUCCEEDED',
            }
          : {
              lines: ['step:1 - critic/score/mean:0.25', 'step:2 - critic/score/mean:0.5'],
              outcome: 'SUCCEEDED',
            },
  });
  client = new RayJobsClient({ address: dashboard.url, timeoutMs: 2000 });
});
afterAll(() => dashboard.close());

describe('RayJobsClient against the fake dashboard', () => {
  it('submits with our submission id, metadata, runtime_env and GPUs, and sees PENDING → RUNNING → SUCCEEDED', async () => {
    const request = buildSubmission({
      argv: ['python3', '-m', 'verl.trainer.main_ppo', 'trainer.experiment_name=run one'],
      kind: 'rl',
      submissionId: 'deepeyes-rl-test-1',
      deepeyesVersion: '0.1.0',
      dataHash: 'd'.repeat(64),
      configHash: 'c'.repeat(64),
      envVars: { LLM_AS_A_JUDGE_BASE: 'http://judge:8000/v1' },
      image: 'registry.example/deepeyes-verl:0.1',
      numGpus: 8,
    });
    // A dashboard of its own whose time moves only on tick(), so every state is seen in turn.
    const stepped = await startFakeRayDashboard({ clock: 'manual' });
    try {
      const steppedClient = new RayJobsClient({ address: stepped.url, timeoutMs: 2000 });
      const submitted = await steppedClient.submit(request);
      expect(submitted.submissionId).toBe('deepeyes-rl-test-1');
      expect(stepped.submissions.at(-1)).toEqual({
        entrypoint: "python3 -m verl.trainer.main_ppo 'trainer.experiment_name=run one'",
        submission_id: 'deepeyes-rl-test-1',
        metadata: {
          deepeyes_version: '0.1.0',
          deepeyes_kind: 'rl',
          data_hash: 'd'.repeat(64),
          config_hash: 'c'.repeat(64),
        },
        runtime_env: {
          image_uri: 'registry.example/deepeyes-verl:0.1',
          env_vars: { LLM_AS_A_JUDGE_BASE: 'http://judge:8000/v1' },
        },
        entrypoint_num_gpus: 8,
      });
      const seen: string[] = [];
      for (let tick = 0; tick < 5; tick++) {
        seen.push((await steppedClient.status('deepeyes-rl-test-1')).status);
        stepped.tick();
      }
      expect(seen).toEqual(['PENDING', 'RUNNING', 'RUNNING', 'RUNNING', 'SUCCEEDED']);
      expect(await steppedClient.logs('deepeyes-rl-test-1')).toBe('step:1 - loss:1.0\nstep:2 - loss:0.5\n');
      expect((await steppedClient.list()).map((job) => job.submission_id)).toEqual(['deepeyes-rl-test-1']);
      expect(await steppedClient.delete('deepeyes-rl-test-1')).toBe(true);
    } finally {
      await stepped.close();
    }
  });

  it('follows the logs of a job that fails to the end and reports FAILED with the exit code', async () => {
    const log = { out: [] as string[], err: [] as string[] };
    const result = await launchTraining(
      {
        launch: 'ray',
        argv: ['bash', '-c', 'fail'],
        kind: 'job',
        deepeyesVersion: '0.1.0',
        ray: { address: dashboard.url, follow: true },
      },
      { out: (text) => void log.out.push(text), err: (text) => void log.err.push(text) },
    );
    expect(result.status).toBe('FAILED');
    expect(result.exitCode).toBe(3);
    expect(log.out.join('')).toContain(
      'Traceback (most recent call last):\nRuntimeError: CUDA out of memory\n',
    );
    expect(log.err.join('')).toContain('FAILED (Job entrypoint command failed with exit code 3)');
  });

  it('refuses a duplicate submission id (400) and an unknown job (404) as user errors', async () => {
    await client.submit({ entrypoint: 'echo a', submission_id: 'dup-1' });
    const duplicate = await client
      .submit({ entrypoint: 'echo b', submission_id: 'dup-1' })
      .catch((error) => error);
    expect(duplicate).toBeInstanceOf(UserError);
    expect(duplicate.code).toBe('ray-duplicate-submission');
    for (const call of [() => client.status('nope'), () => client.stop('nope'), () => client.logs('nope')]) {
      const error = await call().catch((caught) => caught);
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toBe(`the Ray cluster at ${dashboard.url} has no job nope`);
    }
    const tail = await client.followLogs('nope', () => {}).catch((error) => error);
    expect(tail).toBeInstanceOf(UserError);
    expect(tail.code).toBe('ray-job-unknown');
  });

  it('stops a running job: STOPPED, and the follow ends', async () => {
    await client.submit({ entrypoint: 'long run', submission_id: 'stop-1' });
    const texts: string[] = [];
    let firstText: () => void = () => {};
    const printing = new Promise<void>((resolve) => {
      firstText = resolve;
    });
    const following = client.followLogs('stop-1', (text) => {
      texts.push(text);
      firstText();
    });
    await printing; // the job is running and its log is being followed
    expect(await client.stop('stop-1')).toBe(true);
    const final = await following;
    expect(final.status).toBe('STOPPED');
    expect(texts.join('')).toMatch(/^step:1 - loss:0\.1\n/);
  });

  it('says the connection was lost when the dashboard goes away mid-follow', async () => {
    const doomed = await startFakeRayDashboard({
      tickMs: 10,
      script: () => ({ lines: Array(1000).fill('x'), outcome: 'SUCCEEDED' }),
    });
    const doomedClient = new RayJobsClient({ address: doomed.url, timeoutMs: 1000 });
    await doomedClient.submit({ entrypoint: 'long', submission_id: 'gone-1' });
    const texts: string[] = [];
    let firstText: () => void = () => {};
    const printing = new Promise<void>((resolve) => {
      firstText = resolve;
    });
    const following = doomedClient
      .followLogs('gone-1', (text) => {
        texts.push(text);
        firstText();
      })
      .catch((error) => error);
    await printing; // mid-follow: lines are arriving
    await doomed.close();
    const error = await following;
    expect(error).toBeInstanceOf(RayDashboardError);
    expect(error.code).toBe('ray-connection-lost');
    expect(error.hint).toContain('deepeyes train status gone-1');
    expect(texts.length).toBeGreaterThan(0);
  });

  it('times out on a dashboard that accepts connections but never answers', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const error = await new RayJobsClient({ address: `http://127.0.0.1:${port}`, timeoutMs: 150 })
        .list()
        .catch((caught) => caught);
      expect(error).toBeInstanceOf(RayDashboardError);
      expect(error.message).toBe(
        `the Ray dashboard at http://127.0.0.1:${port} did not answer GET /api/jobs/ within 150 ms`,
      );
    } finally {
      silent.close();
    }
    const refused = await new RayJobsClient({ address: 'http://127.0.0.1:1', timeoutMs: 500 })
      .list()
      .catch((caught) => caught);
    expect(refused.code).toBe('ray-unreachable');
  });
});

describe('submission building', () => {
  it('refuses a local working_dir and accepts a package URI', () => {
    for (const local of ['./', '/home/me/verl', 'file:///home/me/verl'])
      expect(() => checkWorkingDir(local)).toThrow(/is a local folder/);
    expect(() => checkWorkingDir('s3://bucket/verl.zip')).not.toThrow();
  });

  it('quotes the entrypoint for the shell Ray runs it in', () => {
    expect(shellJoin(['python3', '-m', 'x', "a='b c'", 'k=v', '$HOME'])).toBe(
      `python3 -m x 'a='"'"'b c'"'"'' k=v '$HOME'`,
    );
  });

  it('names a missing entrypoint', () => {
    expect(() => buildSubmission({ argv: [], deepeyesVersion: '0' })).toThrow(DeepeyesError);
  });
});
