import { expect, it } from 'vitest';
import { canInfer } from '../verifiers/vlmevalkit/can-infer.js';
import { readConsistencyReply, readVerifyReply } from '../verifiers/vlmevalkit/judge-reply.js';
import { extractYesNo } from '../verifiers/vlmevalkit/yes-no-extraction.js';
import type { TaskJudge } from './judge-task.js';

const OPTIONS = { A: 'red', B: 'blue', C: 'green', D: 'white' };

/**
 * What every TaskJudge must do, read the way VLMEvalKit's scorers read replies. Register it in each
 * implementation's test: `taskJudgeContract('rules', async () => new RuleTaskJudge())`.
 */
export function taskJudgeContract(label: string, create: () => Promise<TaskJudge> | TaskJudge): void {
  it(`${label}: has a name to record with every score`, async () => {
    expect((await create()).name).not.toBe('');
  });

  it(`${label}: verify says Yes for the same answer and No for another`, async () => {
    const judge = await create();
    const question = 'What is written on the sign?';
    expect(
      readVerifyReply(await judge.ask({ kind: 'verify', question, reference: 'STOP', prediction: 'stop' })),
    ).toBe(true);
    expect(
      readVerifyReply(await judge.ask({ kind: 'verify', question, reference: 'STOP', prediction: 'YIELD' })),
    ).toBe(false);
  });

  it(`${label}: match-option names the option an answer picks, or Z`, async () => {
    const judge = await create();
    const ask = (prediction: string) =>
      judge.ask({ kind: 'match-option', question: 'What color is the car?', options: OPTIONS, prediction });
    expect(canInfer(await ask('It is option B, the blue one'), OPTIONS)).toBe('B');
    expect(canInfer(await ask('I cannot see a car'), OPTIONS)).toBe('Z');
  });

  it(`${label}: match-yes-no maps an answer to Yes, No or Unknown`, async () => {
    const judge = await create();
    const ask = (prediction: string) =>
      judge.ask({ kind: 'match-yes-no', question: 'Is there a cat?', prediction });
    expect(extractYesNo(await ask('Yes, there is a cat, no dog.'))).toBe('Yes');
    expect(extractYesNo(await ask('No, it is empty.'))).toBe('No');
  });

  it(`${label}: extract-answer returns the final answer alone`, async () => {
    const judge = await create();
    const reply = await judge.ask({
      kind: 'extract-answer',
      benchmark: 'mathvista',
      question: 'How many apples?',
      prediction: 'There are 6 red and 8 green apples, so the answer is 14.',
    });
    expect(reply.trim()).toBe('14');
  });

  it(`${label}: math-consistency answers 1 for equivalent answers and 0 otherwise`, async () => {
    const judge = await create();
    const ask = (reference: string, extracted: string) =>
      judge.ask({ kind: 'math-consistency', question: 'x?', reference, extracted });
    expect(readConsistencyReply(await ask('\\frac{1}{2}', '0.5'))).toBe(true);
    expect(readConsistencyReply(await ask('3', '4'))).toBe(false);
  });

  it(`${label}: stops when the caller aborts`, async () => {
    const judge = await create();
    await expect(
      judge.ask(
        { kind: 'verify', question: 'q', reference: 'a', prediction: 'a' },
        { signal: AbortSignal.abort(new Error('stop')) },
      ),
    ).rejects.toThrow();
  });
}
