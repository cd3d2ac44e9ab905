import { describe, expect, it } from 'vitest';
import type { Judge, JudgeItem } from '../../reward/judge/judge.js';
import { ScriptedTaskJudge } from '../../reward/testing/scripted-task-judge.js';
import { createScorer, scoreInput } from './create-scorer.js';
import type { ScoringInput } from './scoring-input.js';

const input = (
  benchmark: string,
  reference: string,
  prediction: string,
  extra: Partial<ScoringInput> = {},
) => ({
  benchmark,
  question: 'Q?',
  reference,
  prediction,
  ...extra,
});

async function both(value: ScoringInput) {
  const fork = await scoreInput(value, 'vlmevalkit', {});
  const ours = await scoreInput(value, 'deepeyes', {});
  return [fork.verdict, ours.verdict];
}

const letters = { A: 'red', B: 'blue', C: 'green', D: 'white' };

describe('scoring modes', () => {
  it('defaults to vlmevalkit for the fork’s benchmarks and deepeyes elsewhere, and says which', async () => {
    const ocr = await scoreInput(input('ocrbench', "['Centre', 'centre']", 'CENTRE'), 'auto', {});
    expect(ocr).toMatchObject({ verdict: 'correct', mode: 'vlmevalkit', verifier: 'ocrbench' });
    const realx = await scoreInput(
      input('realx-bench', 'Paris or Paris, France', 'paris, france'),
      'auto',
      {},
    );
    expect(realx).toMatchObject({ verdict: 'correct', mode: 'deepeyes' });
    // Asked for vlmevalkit on a benchmark the fork does not have: scored deepeyes, and recorded so.
    expect((await scoreInput(input('realx-bench', 'Paris', 'Paris'), 'vlmevalkit', {})).mode).toBe(
      'deepeyes',
    );
  });

  it('each named deepeyes fix changes the verdict where the fork errs', async () => {
    // ocr-empty-alternative
    expect(
      await both(input('ocrbench', "['']", 'anything', { category: 'Irregular Text Recognition' })),
    ).toEqual(['correct', 'wrong']);
    // chartqa-relative-to-reference: 95.2 is 4.8 % off 100, but 5.04 % of itself
    expect(await both(input('chartqa', '100', '95.2'))).toEqual(['wrong', 'correct']);
    // chartqa-number-in-answer
    expect(await both(input('chartqa', '42', 'The answer is 42.'))).toEqual(['wrong', 'correct']);
    // chartqa-percent-fraction
    expect(await both(input('chartqa', '57%', '57'))).toEqual(['wrong', 'correct']);
    // chartqa-text-normalized
    expect(await both(input('chartqa', 'Germany', 'Germany.'))).toEqual(['wrong', 'correct']);
    // mme-realworld-letter-reading: the fork reads the B of "Because"
    expect(await both(input('mme-realworld', 'A', 'Because of the sign, A', { options: letters }))).toEqual([
      'wrong',
      'correct',
    ]);
    // mme-realworld: \boxed{(C)} is "(C)" to the fork
    expect(await both(input('mme-realworld', 'C', '\\boxed{(C)}', { options: letters }))).toEqual([
      'wrong',
      'correct',
    ]);
    // yes-no-leading-word
    expect(await both(input('pope', 'Yes', 'Yes, there is a cat, no dog.'))).toEqual(['wrong', 'correct']);
    // mathvista-text-answers and mathvista-zero-answer
    const text = { meta: { question_type: 'free_form', answer_type: 'text' } };
    expect(await both(input('mathvista', 'Yes', 'Yes', text))).toEqual(['wrong', 'correct']);
    const integer = { meta: { question_type: 'free_form', answer_type: 'integer' } };
    expect(await both(input('mathvista', '0', '0', integer))).toEqual(['wrong', 'correct']);
    // mathvista-number-forms and mathverse-rules-first
    expect(await both(input('mathvista', '14', 'The answer is 14.', integer))).toEqual(['wrong', 'correct']);
    expect(await both(input('mathverse', '\\frac{1}{2}', '0.5'))).toEqual(['wrong', 'correct']);
    // empty-answer: MME-RealWorld's extraction reads "" as A
    expect(await both(input('mme-realworld', 'A', '', { options: letters }))).toEqual(['correct', 'wrong']);
  });

  it('hedged multiple-choice answers pick nothing in both modes', async () => {
    for (const hedge of ['A or D', 'Either A or C', 'B and C']) {
      expect(await both(input('hrbench-4k', 'A', hedge, { options: letters }))).toEqual(['wrong', 'wrong']);
    }
    expect(await both(input('vstar', 'B', 'The correct option is (B) blue', { options: letters }))).toEqual([
      'correct',
      'correct',
    ]);
  });

  it('vlmevalkit mode asks the task judge only where the fork does; deepeyes asks the reward judge', async () => {
    const taskJudge = new ScriptedTaskJudge({ 'match-yes-no': ['No'] });
    const asked: JudgeItem[] = [];
    const judge: Judge = {
      name: 'scripted-judge',
      async judge(item) {
        asked.push(item);
        return {
          verdict: 'correct',
          parsed: 'Yes',
          replies: ['\\boxed{Yes}'],
          attempts: 1,
          cached: false,
          model: 'scripted-judge',
          promptVersion: 'v',
        };
      },
    };
    const scorer = createScorer({ mode: 'vlmevalkit', taskJudge, judge });
    const item = {
      id: '1',
      rowNumber: 0,
      benchmark: 'pope',
      question: 'Is there a cat?',
      prompt: 'Is there a cat?',
      answer: 'No',
      category: 'adversarial',
      groups: { category: 'adversarial' },
      meta: {},
      loadImages: async () => [],
    };
    expect(await scorer.score(item, 'Nope')).toMatchObject({
      verdict: 'correct',
      verifier: 'judge:match-yes-no',
      extracted: 'No',
      judgeCalls: 1,
      judge: 'scripted-judge',
      inputs: { category: 'adversarial' },
    });
    expect(await scorer.score(item, 'No.')).toMatchObject({ verdict: 'correct', judgeCalls: 0 });
    taskJudge.assertConsumed();
    expect(asked).toHaveLength(0);
    const deepeyes = createScorer({ mode: 'deepeyes', taskJudge, judge });
    expect(await deepeyes.score(item, 'Nope')).toMatchObject({
      verdict: 'correct',
      verifier: 'judge',
      mode: 'deepeyes',
    });
    expect(asked[0]).toMatchObject({ style: 'semantic', reference: 'No', prediction: 'Nope' });
    expect(await deepeyes.score(item, null)).toMatchObject({ verdict: 'wrong', verifier: 'no-answer' });
  });
});
