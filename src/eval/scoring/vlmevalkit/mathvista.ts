import type { TaskJudge } from '../../../reward/judge/judge-task.js';
import { parseAnswerList } from '../../../reward/verifiers/answer-list.js';
import { FAIL_MESSAGE } from '../../../reward/verifiers/vlmevalkit/judge-reply.js';
import {
  type MathVistaRow,
  mathVistaPrefetch,
  mathVistaRead,
} from '../../../reward/verifiers/vlmevalkit/mathvista-check.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';

const ATTEMPTS = 5;

/** The row `post_check` reads, from an item: its options (or the `choices` list) and its meta fields. */
export function mathVistaRow(input: ScoringInput): MathVistaRow {
  const meta = input.meta ?? {};
  const text = (key: string) => (meta[key] === undefined ? undefined : String(meta[key]));
  let choices = input.options;
  if (!choices && text('choices')) {
    const listed = parseAnswerList(text('choices')!) ?? [];
    choices = Object.fromEntries(listed.map((option, index) => [String.fromCharCode(65 + index), option]));
  }
  const multipleChoice =
    (text('question_type') ?? (input.options ? 'multi_choice' : 'free_form')) === 'multi_choice';
  const answerOption = input.options ? input.reference : text('answer_option');
  return {
    questionType: multipleChoice ? 'multi_choice' : 'free_form',
    answerType: text('answer_type') ?? 'text',
    answer: input.reference,
    ...(answerOption === undefined ? {} : { answerOption }),
    ...(choices ? { choices } : {}),
  };
}

/**
 * MathVista as the fork scores it (`MathVista_auxeval` + `MathVista_acc`): the raw prediction is read
 * first (prefetch); otherwise the judge extracts the answer (asked again only on an API failure
 * message), and the extraction is read by the same `post_check`. Without a judge, an item the prefetch
 * does not decide is wrong (the fork refuses to run without one).
 */
export async function scoreMathVista(
  input: ScoringInput,
  judge: TaskJudge | undefined,
  signal?: AbortSignal,
): Promise<ScoringOutcome> {
  const row = mathVistaRow(input);
  const prefetched = mathVistaPrefetch(row, input.prediction);
  if (prefetched !== undefined && prefetched !== null && prefetched !== false) {
    const read = mathVistaRead(row, prefetched);
    return { correct: read.equal, rule: 'prefetch', extracted: String(prefetched), judgeCalls: 0 };
  }
  if (!judge)
    return { correct: false, rule: 'prefetch', judgeCalls: 0, detail: 'not decided by rules; no judge' };
  let extracted = '';
  let judgeCalls = 0;
  for (let attempt = 0; attempt < ATTEMPTS; attempt += 1) {
    judgeCalls += 1;
    const reply = await judge.ask(
      {
        kind: 'extract-answer',
        benchmark: 'mathvista',
        question: input.question,
        prediction: input.prediction,
      },
      { temperature: 0.5 * attempt, ...(signal ? { signal } : {}) },
    );
    if (!reply.includes(FAIL_MESSAGE)) {
      extracted = reply;
      break;
    }
  }
  const read = mathVistaRead(row, extracted);
  return { correct: read.equal, rule: 'judge:extract-answer', extracted, judgeCalls };
}
