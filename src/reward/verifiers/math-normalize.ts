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

// Python's `str.isdigit` is true for decimal digits and for superscript digits.
const ALL_DIGITS = /^[\p{Nd}¹²³⁰⁴-⁹]+$/u;

export function normalizeMathAnswer(answer: string): string {
  let value = answer.split('=').at(-1)!;
  for (const [before, after] of SUBSTITUTIONS) value = value.replaceAll(before, after);
  for (const expression of REMOVED_EXPRESSIONS) value = value.replaceAll(expression, '');
  // Each line holding a $…$ pair is reduced to that pair (Python's `.` does not cross a newline either).
  value = value.replace(/(.*?)(\$)(.*?)(\$)(.*)/g, (_match, _before, _open, inner: string) => `$${inner}$`);
  value = value.replace(/\\text\{(.*?)\}/g, '$1');
  value = value.replace(/\\textbf\{(.*?)\}/g, '$1');
  value = value.replace(/\\overline\{(.*?)\}/g, '$1');
  value = value.replace(/\\boxed\{(.*)\}/g, '$1');
  // Shorthand TeX: \frac12 → \frac{1}{2}, \sqrt2 → \sqrt{2}.
  value = value.replace(/frac([^{])(.)/g, 'frac{$1}{$2}');
  value = value.replace(/sqrt([^{])/g, 'sqrt{$1}');
  value = value.replaceAll('$', '');
  if (ALL_DIGITS.test(value.replaceAll(',', ''))) value = value.replaceAll(',', '');
  return value.trim();
}
