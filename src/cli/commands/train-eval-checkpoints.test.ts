/**
 * `deepeyes train eval-checkpoints` end to end: checkpoints are empty folders in verl's and
 * LLaMA-Factory's layouts; the serve command is a tiny script (`fake-vllm-serve.mjs`, a SCRIPTED
 * model whose accuracy rises with the step) started per checkpoint on a free port; the real eval
 * harness and agent (direct mode) run the OCRBench test sample against it; accuracy lands in the
 * run's metric store and the curves report; every server's process group is gone afterwards (ps).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../model/testing/fake-openai-server.js';
import { MetricStore } from '../../train/metrics/metric-store.js';
import { runTrainCli } from '../testing/run-train-cli.js';

const repo = join(import.meta.dirname, '..', '..', '..');
const data = join(repo, 'test', 'fixtures', 'benchmarks', 'jsonl', 'ocrbench-sample.jsonl');
const serveScript = join(repo, 'src', 'train', 'testing', 'fake-vllm-serve.mjs');
const serveCmd = `${process.execPath} ${serveScript} {path} --port {port}`;
const root = mkdtempSync(join(tmpdir(), 'deepeyes-ckpt-eval-'));
let urlServer: FakeOpenAIServer;

beforeAll(async () => {
  urlServer = await startFakeOpenAIServer({
    models: ['served-elsewhere'],
    reply: () => '<answer>HELLO</answer>',
  });
});
afterAll(async () => {
  await urlServer.close();
  rmSync(root, { recursive: true, force: true });
});

const run = (...argv: string[]) => runTrainCli(['eval-checkpoints', ...argv]);

/**
 * Processes still running in the process groups of the servers a run said it stopped, or naming
 * the test's folder. Zombies (state Z: exited, holding nothing, waiting for a reaper) do not count.
 */
function leftovers(err: string): string[] {
  const groups = [...err.matchAll(/server stopped \(pid (\d+)\)/g)].map((match) => match[1]);
  const table = execFileSync('ps', ['-eo', 'pid=,pgid=,stat=,args='], { encoding: 'utf8' });
  return table
    .split('\n')
    .filter((line) => {
      const [, pgid, stat] = line.trim().split(/\s+/);
      return (groups.includes(pgid) || line.includes(root)) && !stat?.startsWith('Z');
    })
    .filter((line) => !line.includes(' ps -eo'));
}

const common = ['--bench', 'ocrbench', '--data', data, '--mode', 'direct', '--concurrency', '2', '--no-png'];

describe('deepeyes train eval-checkpoints', () => {
  const runDir = join(root, 'rl-run');
  beforeAll(() => {
    const base = join(runDir, 'checkpoints', 'deepeyes', 'exp');
    for (const step of [100, 200, 300])
      mkdirSync(join(base, `global_step_${step}`, 'actor', 'huggingface'), { recursive: true });
    mkdirSync(join(base, 'global_step_50', 'actor'), { recursive: true });
    writeFileSync(
      join(runDir, 'train.log'),
      'step:100 - critic/score/mean:0.30 - response_length/mean:900\nstep:200 - critic/score/mean:0.45 - response_length/mean:850\n',
    );
  });

  it('serves each checkpoint, stores accuracy per step, draws it beside the training curves, leaves nothing running', async () => {
    const result = await run('--run', runDir, '--serve-cmd', serveCmd, ...common);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('step 100\t33.3%\t(3 scored)');
    expect(result.out).toContain('step 200\t66.7%\t(3 scored)');
    expect(result.out).toContain('step 300\t100.0%\t(3 scored)');
    expect(result.err).toContain('global_step_50: no actor/huggingface to serve');
    expect(result.err.match(/server stopped \(pid \d+\)/g)).toHaveLength(3);
    expect(leftovers(result.err)).toEqual([]);

    const store = new MetricStore(join(runDir, 'metrics.sqlite'));
    const accuracy = store.points('rl-run').filter((point) => point.key === 'eval/ocrbench/accuracy');
    store.close();
    expect(accuracy.map((point) => [point.step, point.value])).toEqual([
      [100, 1 / 3],
      [200, 2 / 3],
      [300, 1],
    ]);
    const html = readFileSync(join(runDir, 'training-report.html'), 'utf8');
    expect(html).toContain('checkpoint ocrbench accuracy');
    expect(existsSync(join(runDir, 'checkpoint-eval', 'ocrbench', 'step-200', 'report.md'))).toBe(true);
    expect(
      readFileSync(join(runDir, 'checkpoint-eval', 'serve-logs', 'serve-step-100.log'), 'utf8'),
    ).toContain('scripted model for');

    // Resume: every step is already stored, so nothing is served again.
    const again = await run('--run', runDir, '--serve-cmd', serveCmd, ...common);
    expect(again.code).toBe(0);
    expect(again.err.match(/already evaluated on ocrbench, skipped/g)).toHaveLength(3);
    expect(again.err).not.toContain('serving:');
  });

  it('reports a checkpoint whose server dies, goes on, and exits non-zero', async () => {
    const broken = join(root, 'broken-sft', 'output');
    mkdirSync(join(broken, 'checkpoint-100'), { recursive: true });
    const result = await run('--run', join(root, 'broken-sft'), '--serve-cmd', serveCmd, ...common);
    expect(result.code).toBe(1);
    expect(result.err).toContain('the serve command exited (code 1) before answering /v1/models');
    expect(result.err).toContain('ValueError: no model weights found');
    expect(result.err).toContain('1 checkpoint(s) failed: steps 100');
    expect(leftovers(result.err)).toEqual([]);
  });

  it('Ctrl-C while a checkpoint is evaluated stops its server before deepeyes exits', async () => {
    const hangRun = join(root, 'hang-run');
    mkdirSync(join(hangRun, 'output', 'checkpoint-100'), { recursive: true });
    const child = spawn(
      process.execPath,
      [
        join(repo, 'bin', 'deepeyes.js'),
        'train',
        'eval-checkpoints',
        '--run',
        hangRun,
        '--serve-cmd',
        serveCmd,
        ...common,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let err = '';
    let evaluating: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      evaluating = resolve;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString('utf8');
      if (err.includes('evaluating ocrbench')) evaluating();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const endedEarly = exited.then((code) => {
      throw new Error(`the CLI exited (${code}) before evaluating:\n${err}`);
    });
    endedEarly.catch(() => {}); // once evaluating, the exit that follows SIGINT is expected
    await Promise.race([started, endedEarly]);
    const serverPid = /ready in [\d.]+ s \(pid (\d+)\)/.exec(err)?.[1];
    expect(serverPid).toBeDefined();
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(leftovers(`server stopped (pid ${serverPid})`)).toEqual([]);
  });

  it('evaluates already-served URLs', async () => {
    const result = await run('--run', join(root, 'served'), '--urls', `400=${urlServer.url}`, ...common);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toContain('step 400\t33.3%\t(3 scored)');
  });

  it.each([
    [['--serve-cmd', serveCmd, '--urls', '1=http://x'], 'give exactly one of --serve-cmd TEMPLATE or --urls'],
    [[], 'give exactly one of --serve-cmd TEMPLATE or --urls'],
    [['--serve-cmd', 'vllm serve {path}'], '--serve-cmd has no {port}'],
    [['--serve-cmd', 'vllm serve {path} --port {port} --tp {tp}'], 'unknown placeholder(s) {tp}'],
    [['--serve-cmd', serveCmd, '--model', 'http://x/v1'], '--model is set per checkpoint here'],
    [['--urls', '100=gpu1:8000'], '--urls 100=gpu1:8000: expected STEP=URL'],
  ])('refuses %j', async (flags, message) => {
    const result = await run('--run', runDir, ...flags, ...common);
    expect(result.code).toBe(2);
    expect(result.err).toContain(message);
  });
});
