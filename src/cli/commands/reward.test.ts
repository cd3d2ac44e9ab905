import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../model/testing/fake-openai-server.js';
import { memoryIO } from '../io.js';
import { registerRewardCommands, rewardFileCommand, rewardServeCommand } from './reward.js';

const directory = mkdtempSync(join(tmpdir(), 'deepeyes-reward-cli-'));
const items = [
  {
    id: 'a',
    trajectory: '<think>x</think><answer>STOP</answer><|im_end|>',
    ground_truth: 'STOP',
    data_source: 'perception',
    question: 'Sign?',
  },
  {
    id: 'b',
    trajectory: '<think>x</think><answer>GO</answer><|im_end|>',
    ground_truth: 'STOP',
    data_source: 'perception',
    question: 'Sign?',
  },
  {
    id: 'c',
    trajectory: '<think>x</think><answer>\\frac{3}{4}</answer>',
    ground_truth: '0.75',
    data_source: 'reason',
    question: 'Q',
  },
];
const input = join(directory, 'items.jsonl');
writeFileSync(input, `${items.map((item) => JSON.stringify(item)).join('\n')}\nnot json\n`);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function judgeServer(): Promise<FakeOpenAIServer> {
  const server = await startFakeOpenAIServer({
    models: ['judge-7b'],
    reply: (request) => {
      const last = JSON.stringify(request.messages.at(-1));
      if (last.includes('Equivalence')) return '## Equivalence Judgement\nTRUE';
      return last.includes('Model answer: STOP') ? '\\boxed{Yes}' : '\\boxed{No}';
    },
  });
  cleanups.push(() => server.close());
  return server;
}

describe('deepeyes reward --input', () => {
  it('scores each line in order with rule verifiers and reports bad lines', async () => {
    const io = memoryIO();
    const output = join(directory, 'rules.jsonl');
    const summary = await rewardFileCommand({ input, output, sympy: false }, io);
    const lines = readFileSync(output, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.id ?? line.error?.code)).toEqual(['a', 'b', 'c', 'reward-input-line']);
    expect(lines.map((line) => line.score)).toEqual([1, 0.2, 1, undefined]);
    expect(lines[2]).toMatchObject({
      decidedBy: 'rule:math-numeric',
      notes: ['no judge configured: rule verifiers decided'],
    });
    expect(summary).toMatchObject({
      items: 4,
      errors: 1,
      judge: null,
      decided_by: { 'rule:short-answer': 2, 'rule:math-numeric': 1 },
    });
    expect(io.stderr.join('')).toMatch(/no judge: rule verifiers decided/);
  });

  it('uses the judge server and answers repeats from the cache', async () => {
    const server = await judgeServer();
    const cache = join(directory, 'judge.sqlite');
    const flags = { input, judgeUrl: server.url, judgeCache: cache, sympy: false, judgeApiKey: '' };
    const first = await rewardFileCommand(
      { ...flags, output: join(directory, 'judged-1.jsonl') },
      memoryIO(),
    );
    expect(first).toMatchObject({
      judge: 'judge-7b',
      decided_by: { judge: 3 },
      judge_cache: { hits: 0, misses: 3 },
    });
    const calls = server.requests.length;
    expect(calls).toBe(3);
    const second = await rewardFileCommand(
      { ...flags, output: join(directory, 'judged-2.jsonl') },
      memoryIO(),
    );
    expect(second.judge_cache).toEqual({ hits: 3, misses: 0 });
    expect(server.requests.length).toBe(calls);
    expect(readFileSync(join(directory, 'judged-2.jsonl'), 'utf8')).toContain('"cached":true');
  });

  it('is registered as a commander command', async () => {
    const io = memoryIO();
    const program = new Command('deepeyes').exitOverride();
    registerRewardCommands(program, io);
    await program.parseAsync(['reward', '--input', input, '--no-sympy'], { from: 'user' });
    expect(io.stdout.join('').trim().split('\n')).toHaveLength(4);
  });

  it('explains a missing --input', async () => {
    await expect(rewardFileCommand({}, memoryIO())).rejects.toMatchObject({ code: 'reward-flags' });
  });
});

describe('deepeyes reward serve', () => {
  it('serves POST /reward over HTTP', async () => {
    const io = memoryIO();
    const server = await rewardServeCommand({ port: 0, sympy: false }, io, { waitForShutdown: false });
    cleanups.push(server.close);
    const response = await fetch(`${server.url}/reward`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(items[0]),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ score: 1, profile: 'deepeyesv2' });
    expect(io.stderr.join('')).toMatch(/reward server on http:\/\/127\.0\.0\.1:\d+/);
  });
});
