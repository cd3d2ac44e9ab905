import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ScriptedChatModel } from '../../model/scripted-chat-model.js';
import { readGolden, writeUpstreamPromptFiles } from '../testing/golden.js';
import type { JudgeItem } from './judge.js';
import { openJudgeCache } from './judge-cache.js';
import { LlmJudge } from './llm-judge.js';
import { loadJudgePrompt } from './load-judge-prompt.js';

const item: JudgeItem = {
  style: 'semantic',
  question: 'What is on the sign?',
  reference: 'STOP',
  prediction: 'stop',
};
const fixed = () => 0.5;

async function upstreamPrompts() {
  const files = writeUpstreamPromptFiles();
  return {
    semantic: await loadJudgePrompt(
      { promptFile: files.system, userTemplateFile: files.userTemplate },
      'system-and-user',
      '',
    ),
    math: await loadJudgePrompt({ promptFile: files.math }, 'user-only', ''),
  };
}

describe('LlmJudge, strict parsing (deepeyesv2)', () => {
  it('asks once when the verdict is readable and reports it', async () => {
    const model = new ScriptedChatModel(['<think>same</think>\n\\boxed{yes}']);
    const result = await new LlmJudge({ models: [model] }).judge(item);
    expect(result).toMatchObject({ verdict: 'correct', attempts: 1, cached: false, model: 'scripted:test' });
    expect(model.requests[0]).toMatchObject({ temperature: 0, seed: 0, maxTokens: 8192 });
  });

  it('retries an unreadable verdict, then reports unknown rather than wrong', async () => {
    const model = new ScriptedChatModel(['maybe', '', '\\boxed{Yes/No}']);
    const result = await new LlmJudge({ models: [model], maxAttempts: 3 }).judge(item);
    expect(result).toMatchObject({
      verdict: 'unknown',
      attempts: 3,
      replies: ['maybe', '', '\\boxed{Yes/No}'],
    });
  });

  it('stops retrying at the first readable reply', async () => {
    const model = new ScriptedChatModel(['hmm', '\\boxed{No}', '\\boxed{Yes}']);
    const result = await new LlmJudge({ models: [model] }).judge(item);
    expect(result).toMatchObject({ verdict: 'incorrect', attempts: 2 });
    expect(model.remaining).toBe(1);
  });

  it('turns failed calls into an unknown verdict with the error', async () => {
    const model = new ScriptedChatModel([new Error('connection refused'), new Error('connection refused')]);
    const result = await new LlmJudge({ models: [model], maxAttempts: 2 }).judge(item);
    expect(result).toMatchObject({ verdict: 'unknown', error: 'connection refused', replies: [] });
  });

  it('gives up on a model that never answers at the timeout', async () => {
    const hanging = new ScriptedChatModel(() => new Promise<string>(() => {}));
    const result = await new LlmJudge({ models: [hanging], maxAttempts: 1, timeoutMs: 50 }).judge(item);
    expect(result.verdict).toBe('unknown');
    expect(result.error).toMatch(/timeout|aborted/i);
  });

  it('rotates over several endpoints', async () => {
    const first = new ScriptedChatModel(['\\boxed{Yes}', '\\boxed{Yes}']);
    const second = new ScriptedChatModel(['\\boxed{No}']);
    const judge = new LlmJudge({ models: [first, second], modelName: 'judge-72b' });
    const verdicts = [];
    for (const prediction of ['a', 'b', 'c'])
      verdicts.push((await judge.judge({ ...item, prediction })).verdict);
    expect(verdicts).toEqual(['correct', 'incorrect', 'correct']);
    expect([first.requests.length, second.requests.length]).toEqual([2, 1]);
  });

  it('never has more calls in flight than allowed', async () => {
    let inFlight = 0;
    let most = 0;
    let finished = 0;
    // Each call is held until three are in flight together (or all that are left), so the judge
    // reaches its limit whatever the machine's timing; a limiter that let fewer through would hang
    // here and fail at the test's time limit.
    const held: Array<() => void> = [];
    const model = new ScriptedChatModel(async () => {
      most = Math.max(most, ++inFlight);
      const released = new Promise<void>((resolve) => held.push(resolve));
      if (held.length === Math.min(3, 12 - finished)) for (const release of held.splice(0)) release();
      await released;
      inFlight--;
      finished++;
      return '\\boxed{Yes}';
    });
    const judge = new LlmJudge({ models: [model], maxConcurrent: 3 });
    await Promise.all(
      Array.from({ length: 12 }, (_, index) => judge.judge({ ...item, prediction: `p${index}` })),
    );
    expect(model.requests.length).toBe(12);
    expect(most).toBe(3);
  }, 10_000);

  it('uses the temperature and seed it is given', async () => {
    const model = new ScriptedChatModel(['\\boxed{Yes}']);
    await new LlmJudge({ models: [model], sampling: { semantic: { temperature: 0.7, seed: 1234 } } }).judge(
      item,
    );
    expect(model.requests[0]).toMatchObject({ temperature: 0.7, seed: 1234 });
  });
});

describe('judge cache', () => {
  const caches: Array<{ close(): void }> = [];
  afterEach(() => {
    for (const cache of caches.splice(0)) cache.close();
  });

  it('answers a repeated item from the cache without calling the model', async () => {
    const cache = openJudgeCache(':memory:');
    caches.push(cache);
    const model = new ScriptedChatModel(['\\boxed{Yes}']);
    const judge = new LlmJudge({ models: [model], cache });
    const first = await judge.judge(item);
    const second = await judge.judge(item);
    expect(first.cached).toBe(false);
    expect(second).toMatchObject({
      verdict: 'correct',
      cached: true,
      attempts: 0,
      replies: ['\\boxed{Yes}'],
    });
    expect(model.requests.length).toBe(1);
    expect(cache.stats).toEqual({ hits: 1, misses: 1 });
  });

  it('keys by question, reference, prediction, judge model and prompt version', async () => {
    const cache = openJudgeCache(':memory:');
    caches.push(cache);
    const model = new ScriptedChatModel(() => '\\boxed{No}');
    const judge = new LlmJudge({ models: [model], cache, modelName: 'judge-a' });
    await judge.judge(item);
    await judge.judge({ ...item, question: 'other' });
    await judge.judge({ ...item, reference: 'GO' });
    await judge.judge({ ...item, prediction: 'go' });
    await new LlmJudge({ models: [model], cache, modelName: 'judge-b' }).judge(item);
    await new LlmJudge({
      models: [model],
      cache,
      modelName: 'judge-a',
      prompts: { semantic: { version: 'v2', user: '{prediction}' } },
    }).judge(item);
    expect(model.requests.length).toBe(6);
    await judge.judge(item);
    expect(model.requests.length).toBe(6);
  });

  it('does not store unknown verdicts', async () => {
    const cache = openJudgeCache(':memory:');
    caches.push(cache);
    const model = new ScriptedChatModel(() => 'no idea');
    const judge = new LlmJudge({ models: [model], cache, maxAttempts: 1 });
    await judge.judge(item);
    await judge.judge(item);
    expect(model.requests.length).toBe(2);
  });
});

describe('upstream judge requests (upstream-rl, prompts loaded from files)', () => {
  const judgeRecords = readGolden('judge.jsonl');

  it('loads verify_prompt.md as upstream reads it', async () => {
    const prompts = await upstreamPrompts();
    const system = prompts.semantic.system!;
    expect(createHash('sha256').update(system).digest('hex')).toBe(
      '6926c6d4797648fccbaf91543f3197e1f3d6a978a306ad6345815826b43c4ec0',
    );
    expect([...system].length).toBe(1476);
  });

  const promptCases = judgeRecords
    .filter((record) => record.kind === 'judge_prompt')
    .map((record) =>
      z
        .object({
          id: z.string(),
          question: z.string(),
          ground_truth: z.string(),
          prediction: z.string().nullable(),
          user: z.string(),
        })
        .parse(record),
    );

  it.each(promptCases)('renders the user message of judge_prompt $id byte for byte', async (record) => {
    const model = new ScriptedChatModel(['\\boxed{Yes}']);
    const judge = new LlmJudge({
      models: [model],
      prompts: await upstreamPrompts(),
      parsing: 'upstream',
      random: fixed,
    });
    await judge.judge({
      style: 'semantic',
      question: record.question,
      reference: record.ground_truth,
      prediction: record.prediction,
    });
    const request = model.requests[0]!;
    expect(request.messages[1]).toEqual({ role: 'user', content: record.user });
    expect(request).toMatchObject({ temperature: 0.3, maxTokens: 8192, seed: 500000 });
  });

  it('sends the math request byte for byte', async () => {
    const record = z
      .object({
        query: z.string(),
        ground_truth: z.string(),
        prediction: z.string(),
        request: z.object({ messages: z.array(z.unknown()), temperature: z.number() }),
      })
      .parse(judgeRecords.find((line) => line.kind === 'math_judge_prompt'));
    const model = new ScriptedChatModel(['## Equivalence Judgement\nTRUE']);
    const judge = new LlmJudge({ models: [model], prompts: await upstreamPrompts(), parsing: 'upstream' });
    const result = await judge.judge({
      style: 'math',
      question: record.query,
      reference: record.ground_truth,
      prediction: record.prediction,
    });
    expect(result.verdict).toBe('correct');
    const request = model.requests[0]!;
    expect(request.messages).toEqual(record.request.messages);
    expect(request.temperature).toBe(record.request.temperature);
    expect(request.maxTokens).toBeUndefined();
    expect(request.seed).toBeGreaterThanOrEqual(0);
    expect(request.seed).toBeLessThanOrEqual(1_000_000);
  });

  const validationCases = judgeRecords
    .filter((record) => record.kind === 'vstar_acc_judge_parse')
    .map((record) =>
      z.object({ replies: z.array(z.string()), acc: z.number(), judge_calls_made: z.number() }).parse(record),
    );

  it.each(validationCases)(
    'validation judge: replies $replies → acc $acc',
    async ({ replies, acc, judge_calls_made }) => {
      const model = new ScriptedChatModel(replies);
      const judge = new LlmJudge({ models: [model], prompts: await upstreamPrompts(), parsing: 'upstream' });
      const result = await judge.judgeUpstreamValidation({
        style: 'semantic',
        question: 'Which animal?',
        reference: 'B',
        prediction: '(B) dog',
      });
      expect(result.verdict === 'correct' ? 1 : 0).toBe(acc);
      expect(result.attempts).toBe(judge_calls_made);
      expect(model.requests[0]!.messages[0]!.content).toEqual([
        { type: 'text', text: (await upstreamPrompts()).semantic.system },
        { type: 'text', text: '\n    [问题]:Which animal?\n    [参考答案]:B\n    [模型回答]:(B) dog\n    ' },
      ]);
    },
  );
});
