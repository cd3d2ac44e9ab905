import { PYTHON_DOT, pythonIsDigit, pythonStrip } from '../../protocol/python-text.js';

/**
 * Final-answer normalisation for math answers, following the substitution and removal lists of the
 * DeepEyesV2 reward (`normalize_final_answer`, itself from the Minerva paper). The lists are facts about
 * upstream's behaviour; golden cases in judge.jsonl (`normalize_final_answer`) pin every step.
 */

const SUBSTITUTIONS: ReadonlyArray<readonly [string, string]> = [
  ['an ', ''],
  ['a ', ''],
  ['.$', '$'],
  ['\\$', ''],
  ['\\ ', ''],
  [' ', ''],
  ['mbox', 'text'],
  [',\\text{and}', ','],
  ['\\text{and}', ','],
  ['\\text{m}', '\\text{}'],
];

const REMOVED_EXPRESSIONS: readonly string[] = [
  'square',
  'ways',
  'integers',
  'dollars',
  'mph',
  'inches',
  'hours',
  'km',
  'units',
  '\\ldots',
  'sue',
  'points',
  'feet',
  'minutes',
  'digits',
  'cents',
  'degrees',
  'cm',
  'gm',
  'pounds',
  'meters',
  'meals',
  'edges',
  'students',
  'childrentickets',
  'multiples',
  '\\text{s}',
  '\\text{.}',
  '\\text{\ns}',
  '\\text{}^2',
  '\\text{}^3',
  '\\text{\n}',
  '\\text{}',
  '\\mathrm{th}',
  '^\\circ',
  '^{\\circ}',
  '\\;',
  ',\\!',
  '{,}',
  '"',
  '\\dots',
];

/** Upstream's `re.sub` patterns, with Python's `.` (it matches `\r`; JavaScript's does not). */
const DOT = PYTHON_DOT;
const DOLLAR_PAIR = new RegExp(`(${DOT}*?)(\\$)(${DOT}*?)(\\$)(${DOT}*)`, 'gu');
const TEXT = new RegExp(`\\\\text\\{(${DOT}*?)\\}`, 'gu');
const TEXTBF = new RegExp(`\\\\textbf\\{(${DOT}*?)\\}`, 'gu');
const OVERLINE = new RegExp(`\\\\overline\\{(${DOT}*?)\\}`, 'gu');
const BOXED = new RegExp(`\\\\boxed\\{(${DOT}*)\\}`, 'gu');
const FRAC_SHORTHAND = new RegExp(`frac([^{])(${DOT})`, 'gu');
const SQRT_SHORTHAND = /sqrt([^{])/gu;

export function normalizeMathAnswer(answer: string): string {
  let value = answer.split('=').at(-1)!;
  for (const [before, after] of SUBSTITUTIONS) value = value.replaceAll(before, after);
  for (const expression of REMOVED_EXPRESSIONS) value = value.replaceAll(expression, '');
  // Each line holding a $…$ pair is reduced to that pair (Python's `.` does not cross a newline either).
  value = value.replace(DOLLAR_PAIR, (_match, _before, _open, inner: string) => `$${inner}$`);
  value = value.replace(TEXT, '$1');
  value = value.replace(TEXTBF, '$1');
  value = value.replace(OVERLINE, '$1');
  value = value.replace(BOXED, '$1');
  // Shorthand TeX: \frac12 → \frac{1}{2}, \sqrt2 → \sqrt{2}.
  value = value.replace(FRAC_SHORTHAND, 'frac{$1}{$2}');
  value = value.replace(SQRT_SHORTHAND, 'sqrt{$1}');
  value = value.replaceAll('$', '');
  if (pythonIsDigit(value.replaceAll(',', ''))) value = value.replaceAll(',', '');
  return pythonStrip(value);
}
