import { pythonFloat, pythonInt } from '../../../protocol/python-number.js';
import { canInfer, type LetterChoices } from './can-infer.js';

/** What MathVista's `post_check` reads from a row. */
export type MathVistaRow = {
  questionType: string;
  answerType: string;
  /** The `answer` column (free-form answers). */
  answer: string;
  /** Multiple choice: the correct letter (`answer_option`) and the options in order. */
  answerOption?: string;
  choices?: LetterChoices;
};

/** A value `post_check` read: a letter, a number, a text, or nothing (`False`/`None` in the fork). */
export type MathVistaValue = string | number | false | null;

/**
 * `post_check(line, prefetch)` from the fork's utils/mathvista.py. `response` is the raw prediction
 * (prefetch) or the extracted answer. Returns the value read and whether it equals the answer.
 * Quirks kept, each changes numbers:
 * - a text or list answer is compared with the string "None" (the code stringifies its unset result),
 *   so such items are never correct;
 * - numbers compare exactly after Python's int()/float() (`14.0` is not an integer answer);
 * - for multiple choice, prefetch accepts any letter `can_infer` reads, right or wrong.
 */
export function mathVistaRead(
  row: MathVistaRow,
  response: string | number,
): { value: MathVistaValue; equal: boolean } {
  if (row.questionType === 'multi_choice') {
    const value = canInfer(String(response), { ...(row.choices ?? {}) });
    return { value, equal: value === (row.answerOption ?? null) };
  }
  if (row.answerType === 'integer') {
    const value = typeof response === 'number' ? Math.trunc(response) : pythonInt(response);
    const expected = pythonInt(row.answer);
    if (value === undefined || expected === undefined) return { value: null, equal: false };
    return { value, equal: value === expected };
  }
  if (row.answerType === 'float') {
    const value = typeof response === 'number' ? response : pythonFloat(response);
    const expected = pythonFloat(row.answer);
    if (value === undefined || expected === undefined) return { value: null, equal: false };
    return { value, equal: value === expected };
  }
  return { value: 'None', equal: row.answer === 'None' };
}

/**
 * The prefetch step of `MathVista_auxeval`: the raw prediction decides without the judge when
 * `post_check(prefetch=True)` returns something truthy. Quirk kept: a correct 0 is falsy, so an item
 * whose answer is 0 always goes to the judge.
 */
export function mathVistaPrefetch(row: MathVistaRow, prediction: string): MathVistaValue | undefined {
  const read = mathVistaRead(row, prediction);
  if (row.questionType === 'multi_choice') return read.value ? read.value : undefined;
  if (!read.equal) return undefined;
  return read.value === 0 || read.value === '' ? undefined : read.value;
}
