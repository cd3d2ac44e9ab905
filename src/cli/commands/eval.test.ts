import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunStore } from '../../eval/runner/run-store.js';
import { createToolFreeRunItem } from '../../eval/testing/replay-run-item.js';
import { ReplayChatModel } from '../../model/replay-chat-model.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../model/testing/fake-openai-server.js';
import { memoryIO } from '../io.js';
import { type EvalDependencies, evalCommand, registerEvalCommands } from './eval.js';
import { reportCommand } from './report.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'benchmarks', 'realx');

const replayAgent: EvalDependencies = {
  async createRunItem({ flags }) {
    const model = await ReplayChatModel.fromFile(flags.replay!);
    return { runItem: createToolFreeRunItem(model), describe: [`model: ${model.name}`] };
  },
};

describe('deepeyes eval on the RealX sample (replayed model, fake judge over HTTP)', () => {
  let judgeServer: FakeOpenAIServer;
  beforeAll(async () => {
    // The judge says No to everything: only answers the rules reject reach it.
    judgeServer = await startFakeOpenAIServer({
      models: ['fake-judge'],
      reply: () => 'They differ. \\boxed{No}',
    });
  });
  afterAll(() => judgeServer.close());

  it('scores every item, records bad rows, and writes report.md and report.html', async () => {
    const out = await mkdtemp(join(tmpdir(), 'deepeyes-eval-'));
    const io = memoryIO();
    const flags = {
      bench: 'realx',
      data: join(fixtures, 'realx-sample.jsonl'),
      replay: join(fixtures, 'replay.jsonl'),
      out,
      judge: judgeServer.url,
      concurrency: '3',
    };
    const result = await evalCommand(flags, io, replayAgent);
    expect(result.summary).toMatchObject({ total: 12, finished: 12, errors: 0 });
    expect(result.badRows.map((row) => row.id)).toEqual(['realx-bad-1', 'realx-bad-2']);

    const store = RunStore.openExisting(out);
    const items = store.items();
    store.close();
    const wrong = items.filter((item) => item.correct === false).map((item) => item.id);
    expect(wrong).toEqual(['realx-007', 'realx-009']);
    // Exactly the rule-rejected answers went to the judge, once each.
    expect(items.filter((item) => item.score?.verifier === 'judge').map((item) => item.id)).toEqual(wrong);
    expect(judgeServer.requests).toHaveLength(2);
    expect(items.find((item) => item.id === 'realx-004')).toMatchObject({
      toolCalls: 2,
      toolMix: { crop: 1, 'text-search': 1 },
    });

    const markdown = readFileSync(join(out, 'report.md'), 'utf8');
    expect(markdown).toContain('## RealX-Bench capabilities');
    expect(markdown).toMatch(/\| Integration \| 50\.0 \| 2 \|/);
    expect(markdown).toMatch(/\| overall \| 83\.3 \| 12 \|/);
    expect(markdown).toContain('realx-bad-1');
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('data:image/png;base64,');
    expect(io.stdout.join('')).toContain('RealX-Bench: 83.3% of 12 scored · 0 error(s) · 2 skipped row(s)');
    // RealX-Bench is not in VLMEvalKit: scored deepeyes, recorded in the run and shown in the report.
    const judgeName = `openai-compatible:${judgeServer.url}`;
    expect(io.stderr.join('')).toContain(
      `scoring: deepeyes: deepeyes (corrected, see docs/evaluation.md); judge ${judgeName}`,
    );
    const reopened = RunStore.openExisting(out);
    expect(reopened.config()?.scoring).toEqual({
      mode: 'deepeyes',
      judge: judgeName,
      mcqFallback: { kind: 'random', seed: 0 },
    });
    reopened.close();
    expect(markdown).toContain(`| deepeyes · ${judgeName} |`);
  });

  it('refuses to mix runs: reusing --out needs --resume with the same configuration', async () => {
    const out = await mkdtemp(join(tmpdir(), 'deepeyes-eval-'));
    const base = {
      bench: 'realx',
      data: join(fixtures, 'realx-sample.jsonl'),
      replay: join(fixtures, 'replay.jsonl'),
      out,
      limit: '3',
      report: false,
    };
    await evalCommand(base, memoryIO(), replayAgent);
    await expect(evalCommand(base, memoryIO(), replayAgent)).rejects.toMatchObject({ code: 'run-exists' });
    await expect(
      evalCommand({ ...base, resume: true, optionSeed: '5' }, memoryIO(), replayAgent),
    ).rejects.toMatchObject({
      code: 'resume-config-differs',
    });
    // A resume with a larger limit runs only the new items.
    const resumed = await evalCommand({ ...base, resume: true, limit: '5' }, memoryIO(), replayAgent);
    expect(resumed.summary).toMatchObject({ total: 5, finished: 5, finishedThisSession: 2 });
  });

  it('parses the command line through commander (kebab-case flags, --no-shuffle, --no-report)', async () => {
    const out = await mkdtemp(join(tmpdir(), 'deepeyes-eval-cli-'));
    const io = memoryIO();
    const program = new Command('deepeyes').exitOverride();
    registerEvalCommands(program, io, { ...replayAgent, signal: new AbortController().signal });
    await program.parseAsync(
      [
        'eval',
        '--bench',
        'realx',
        '--data',
        join(fixtures, 'realx-sample.jsonl'),
        '--replay',
        join(fixtures, 'replay.jsonl'),
        '--out',
        out,
        '--limit',
        '4',
        '--concurrency',
        '2',
        '--max-attempts',
        '1',
        '--no-shuffle',
        '--no-report',
      ],
      { from: 'user' },
    );
    expect(io.stdout.join('')).toContain('RealX-Bench: 100.0% of 4 scored');
    const store = RunStore.openExisting(out);
    expect(store.config()).toMatchObject({ shuffleOptions: false, mode: 'agent', seed: 0, judge: null });
    store.close();
  });

  it('validates flags before doing anything', async () => {
    await expect(
      evalCommand({ bench: 'realx', data: 'x.jsonl', out: '/tmp/x' }, memoryIO(), replayAgent),
    ).rejects.toThrow(/exactly one of --model/);
    await expect(
      evalCommand(
        { bench: 'nope', data: 'x.jsonl', out: '/tmp/x', model: 'http://127.0.0.1:1/v1' },
        memoryIO(),
        replayAgent,
      ),
    ).rejects.toMatchObject({ code: 'unknown-benchmark' });
  });

  it('deepeyes report compares runs side by side', async () => {
    const first = await mkdtemp(join(tmpdir(), 'deepeyes-sft-'));
    const second = await mkdtemp(join(tmpdir(), 'deepeyes-rl-'));
    const common = {
      bench: 'realx',
      data: join(fixtures, 'realx-sample.jsonl'),
      replay: join(fixtures, 'replay.jsonl'),
      report: false,
    };
    await evalCommand({ ...common, out: first }, memoryIO(), replayAgent);
    await evalCommand({ ...common, out: second, limit: '6' }, memoryIO(), replayAgent);
    const out = await mkdtemp(join(tmpdir(), 'deepeyes-compare-'));
    const io = memoryIO();
    const paths = await reportCommand({ directories: [first, second], out, images: 'link' }, io);
    const markdown = readFileSync(paths.markdownPath, 'utf8');
    const header = markdown.split('\n').find((line) => line.startsWith('| group |'))!;
    expect(header).toContain('acc %');
    expect(header.match(/tool use %/g)).toHaveLength(2);
    expect(io.stdout.join('')).toMatch(/tool use 91\.7%/);
    expect(readFileSync(paths.htmlPath, 'utf8')).not.toContain('data:image/png;base64,');
  });
});
