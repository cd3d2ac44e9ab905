import type { TaskJudge } from '../../../reward/judge/judge-task.js';
import { canInfer } from '../../../reward/verifiers/vlmevalkit/can-infer.js';
import { FAIL_MESSAGE, readVerifyReply } from '../../../reward/verifiers/vlmevalkit/judge-reply.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';
import { DEFAULT_MCQ_FALLBACK, drawFallbackLetter, type McqFallback } from './mcq-fallback.js';

const MATCH_ATTEMPTS = 3;

/**
 * Multiple choice as the fork's `eval_vanilla` scores it (HRBench, V*, SEED-Bench-2-Plus, …):
 * `can_infer` on the answer; if it cannot tell, the judge is asked which option the answer means (up to
 * three times, each reply read by `can_infer`); a letter equal to the answer is correct; "Z" (none of
 * the options, or a refusal) goes to the verify judge with the answer letter as reference. After three
 * unreadable replies the fork picks a random letter or Z: `fallback` says how (mcq-fallback.ts). Without a
 * judge the fork crashes on Z; here it is wrong.
 */
export async function scoreMultipleChoice(
  input: ScoringInput,
  judge: TaskJudge | undefined,
  signal?: AbortSignal,
  fallback: McqFallback = DEFAULT_MCQ_FALLBACK,
): Promise<ScoringOutcome> {
  const choices = { ...(input.options ?? {}) };
  const reference = input.reference;
  const ask = signal ? { signal } : {};
  let judgeCalls = 0;
  let letter: string | false = canInfer(input.prediction, choices);
  let rule = 'can-infer';
  let fallbackDetail: string | undefined;
  if (!letter) {
    if (!judge) return { correct: false, rule: 'can-infer', judgeCalls, detail: 'no option read; no judge' };
    rule = 'judge:match-option';
    for (let attempt = 0; attempt < MATCH_ATTEMPTS && !letter; attempt += 1) {
      judgeCalls += 1;
      const reply = await judge.ask(
        { kind: 'match-option', question: input.question, options: choices, prediction: input.prediction },
        ask,
      );
      if (!reply.includes(FAIL_MESSAGE.slice(0, -1))) letter = canInfer(reply, choices);
    }
    if (!letter) {
      if (fallback.kind === 'wrong') {
        return {
          correct: false,
          rule,
          judgeCalls,
          detail: 'judge replies unreadable (--mcq-fallback wrong)',
        };
      }
      const key = input.id ?? `${input.question}\u0000${input.prediction}`;
      letter = drawFallbackLetter(Object.keys(choices), fallback.seed, key);
      rule = 'random-fallback';
      fallbackDetail = `judge replies unreadable: drew ${letter} at random (seed ${fallback.seed}), as the fork does`;
    }
  }
  const detail = fallbackDetail === undefined ? {} : { detail: fallbackDetail };
  if (letter === reference) return { correct: true, rule, extracted: letter, judgeCalls, ...detail };
  if (letter !== 'Z') return { correct: false, rule, extracted: letter, judgeCalls, ...detail };
  if (!judge) return { correct: false, rule, extracted: letter, judgeCalls, detail: 'Z without a judge' };
  judgeCalls += 1;
  const reply = await judge.ask(
    { kind: 'verify', question: input.question, reference, prediction: input.prediction },
    ask,
  );
  return {
    correct: readVerifyReply(reply),
    rule: fallbackDetail === undefined ? 'judge:verify' : 'random-fallback+judge:verify',
    extracted: letter,
    judgeCalls,
    ...detail,
  };
}
