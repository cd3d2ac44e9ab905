import { describe, expect, it } from 'vitest';
import type { EvalItem } from '../eval-item.js';
import { letterOptions } from '../options.js';
import { createBenchmarkScorer } from './benchmark-scorer.js';
import type { EvalJudge, JudgeRequest } from './eval-judge.js';

function item(benchmark: string, answer: string, extra: Partial<EvalItem> = {}): EvalItem {
  return {
    id: 'x',
    rowNumber: 0,
    benchmark,
    question: 'What is it?',
    prompt: 'What is it?',
    answer,
    category: 'all',
    groups: {},
    meta: {},
    loadImages: async () => [],
    ...extra,
  };
}

function recordingJudge(reply: 'correct' | 'wrong' | 'unknown'): EvalJudge & { requests: JudgeRequest[] } {
  const requests: JudgeRequest[] = [];
  return {
    name: 'scripted-judge',
    requests,
    async judge(request) {
      requests.push(request);
      return { verdict: reply, judge: 'scripted-judge', raw: `\\boxed{${reply}}` };
    },
  };
}

describe('benchmark scoring', () => {
  const rules = createBenchmarkScorer();

  it('multiple choice: by letter or by option text, never by a stray letter', async () => {
    const mcq = item('hrbench-4k', 'B', { options: letterOptions(['cat', 'dog', 'bird']) });
    expect(await rules.score(mcq, 'B')).toMatchObject({
      verdict: 'correct',
      verifier: 'choice',
      extracted: 'B',
    });
    expect(await rules.score(mcq, 'dog')).toMatchObject({ verdict: 'correct', extracted: 'B' });
    expect(await rules.score(mcq, 'A cat')).toMatchObject({ verdict: 'wrong', extracted: 'A' });
    expect(await rules.score(mcq, 'no idea')).toMatchObject({
      verdict: 'wrong',
      detail: 'no option matched the answer',
    });
  });

  it('RealX: " or " alternatives, articles and case', async () => {
    const realx = item('realx-bench', 'Gustave Eiffel or Eiffel');
    expect((await rules.score(realx, 'eiffel')).verdict).toBe('correct');
    expect((await rules.score(realx, 'It was designed by Gustave Eiffel.')).verdict).toBe('correct');
    expect((await rules.score(realx, 'Le Corbusier')).verdict).toBe('wrong');
    expect((await rules.score(item('realx-bench', 'Paris or Paris, France'), 'paris, france')).verdict).toBe(
      'correct',
    );
  });

  it('ChartQA: numbers within 5 %, text exactly', async () => {
    expect((await rules.score(item('chartqa', '1,000'), '1030')).verdict).toBe('correct');
    expect((await rules.score(item('chartqa', '1000'), '1060')).verdict).toBe('wrong');
    expect((await rules.score(item('chartqa', 'Germany'), 'germany')).verdict).toBe('correct');
  });

  it('OCRBench: the reference appears in the prediction', async () => {
    expect((await rules.score(item('ocrbench', 'HELLO'), 'The word is hello')).verdict).toBe('correct');
    expect((await rules.score(item('ocrbench', 'HELLO'), 'HELL')).verdict).toBe('wrong');
  });

  it('math: numbers with precision, fractions and yes/no', async () => {
    expect((await rules.score(item('mathvista', '0.5', { meta: { precision: 1 } }), '0.5')).verdict).toBe(
      'correct',
    );
    expect((await rules.score(item('mathvision', '0.75'), '\\frac{3}{4}')).verdict).toBe('correct');
    expect((await rules.score(item('mathvision', '3/4'), '0.75')).verdict).toBe('correct');
    expect((await rules.score(item('mathvista', '16'), '15')).verdict).toBe('wrong');
    expect((await rules.score(item('wemath', 'yes'), 'Yes, it is.')).verdict).toBe('correct');
  });

  it('no answer is wrong without asking the judge', async () => {
    const judge = recordingJudge('correct');
    const scorer = createBenchmarkScorer({ judge });
    expect(await scorer.score(item('realx-bench', 'Paris'), null)).toMatchObject({
      verdict: 'wrong',
      verifier: 'no-answer',
    });
    expect(judge.requests).toHaveLength(0);
  });

  it('asks the judge only when the rule rejects, with the benchmark judge style', async () => {
    const judge = recordingJudge('correct');
    const scorer = createBenchmarkScorer({ judge });
    expect(await scorer.score(item('realx-bench', 'Paris'), 'paris')).toMatchObject({
      verifier: 'short-answer',
    });
    expect(await scorer.score(item('realx-bench', 'Paris'), 'the French capital')).toMatchObject({
      verdict: 'correct',
      verifier: 'judge',
    });
    await scorer.score(item('mathverse', '2\\sqrt{2}'), 'sqrt(8)');
    expect(judge.requests.map((request) => request.style)).toEqual(['semantic', 'math']);
    // Rule-scored benchmarks never call the judge.
    await scorer.score(item('chartqa', '10'), '12');
    expect(judge.requests).toHaveLength(2);
  });

  it('passes an unknown judge verdict through (the runner records it as an error, not as wrong)', async () => {
    const scorer = createBenchmarkScorer({ judge: recordingJudge('unknown') });
    expect((await scorer.score(item('simplevqa', 'Paris'), 'Lyon')).verdict).toBe('unknown');
  });
});
