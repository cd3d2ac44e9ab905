import { pythonStrip } from '../../../protocol/python-text.js';
import type { TaskJudge } from '../../../reward/judge/judge-task.js';
import { answerAlternatives } from '../../../reward/verifiers/answer-list.js';
import { readVerifyReply } from '../../../reward/verifiers/vlmevalkit/judge-reply.js';
import { relaxedCorrectness } from '../../../reward/verifiers/vlmevalkit/relaxed-correctness.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';

/**
 * ChartQA as the fork scores it (`process_line(method='relaxed_accuracy')`, then the maximum over the
 * alternatives): relaxed correctness with its arguments swapped, and for each alternative that is not
 * numeric and not equal as text, its verify judge, asked with the roles swapped as well (the model's
 * answer as the reference). Every alternative is checked, so a list answer can cost several judge calls.
 * Without a judge (the fork would crash) such an alternative counts as wrong.
 */
export async function scoreChartQa(
  input: ScoringInput,
  judge: TaskJudge | undefined,
  signal?: AbortSignal,
): Promise<ScoringOutcome> {
  const prediction = pythonStrip(input.prediction);
  let correct = false;
  let judgeCalls = 0;
  let rule = 'relaxed-accuracy';
  for (const alternative of answerAlternatives(input.reference)) {
    const outcome = relaxedCorrectness(prediction, alternative);
    if (outcome.decided) {
      correct ||= outcome.correct;
      continue;
    }
    if (!judge) continue;
    judgeCalls += 1;
    const reply = await judge.ask(
      {
        kind: 'verify',
        question: pythonStrip(input.question),
        reference: prediction,
        prediction: alternative,
      },
      { ...(signal ? { signal } : {}) },
    );
    if (readVerifyReply(reply)) {
      correct = true;
      rule = 'judge:verify';
    }
  }
  return { correct, rule: correct ? rule : judgeCalls > 0 ? 'judge:verify' : rule, judgeCalls };
}
