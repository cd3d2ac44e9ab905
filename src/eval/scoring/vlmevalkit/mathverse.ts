import { pythonStrip } from '../../../protocol/python-text.js';
import type { TaskJudge } from '../../../reward/judge/judge-task.js';
import { FAIL_MESSAGE, readConsistencyReply } from '../../../reward/verifiers/vlmevalkit/judge-reply.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';

const ATTEMPTS = 5;

/**
 * MathVerse as the fork scores it: stage 1, the judge extracts the answer (asked again only on an API
 * failure message); stage 2, the extraction equal to the answer after stripping is correct, otherwise
 * the judge says 1 or 0 (a reply that is not exactly one of those is asked again, up to five times, then
 * counts as 0). Without a judge the prediction itself stands in for the extraction.
 */
export async function scoreMathVerse(
  input: ScoringInput,
  judge: TaskJudge | undefined,
  signal?: AbortSignal,
): Promise<ScoringOutcome> {
  const ask = (attempt: number) => ({ temperature: 0.5 * attempt, ...(signal ? { signal } : {}) });
  let judgeCalls = 0;
  let extracted = input.prediction;
  if (judge) {
    extracted = '';
    for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
      judgeCalls += 1;
      const reply = await judge.ask(
        {
          kind: 'extract-answer',
          benchmark: 'mathverse',
          question: input.question,
          prediction: input.prediction,
        },
        ask(attempt),
      );
      if (!reply.includes(FAIL_MESSAGE)) {
        extracted = reply;
        break;
      }
    }
  }
  if (pythonStrip(extracted) === pythonStrip(input.reference)) {
    return { correct: true, rule: 'exact-extraction', extracted, judgeCalls };
  }
  if (!judge) return { correct: false, rule: 'exact-extraction', extracted, judgeCalls, detail: 'no judge' };
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    judgeCalls += 1;
    const reply = await judge.ask(
      { kind: 'math-consistency', question: input.question, reference: input.reference, extracted },
      ask(attempt),
    );
    const verdict = readConsistencyReply(reply);
    if (verdict !== undefined)
      return { correct: verdict, rule: 'judge:math-consistency', extracted, judgeCalls };
  }
  return { correct: false, rule: 'judge:math-consistency', extracted, judgeCalls, detail: 'no readable 0/1' };
}
