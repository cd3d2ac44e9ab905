import { normalizeShortAnswer, unwrapAnswer } from './normalize-text.js';
import type { RuleDecision } from './rule-decision.js';

/** Option letter → option text, e.g. `{ A: 'cat', B: 'dog' }`. */
export type ChoiceOptions = Readonly<Record<string, string>>;

// "(B)", "(b) dog", "b) dog", "B. dog", "B: dog", "B dog" is not a choice (too easy to misread).
const MARKED_LETTER = /^\(?([A-Za-z])\)(?:\s|$)|^\(([A-Za-z])\)|^([A-Za-z])[.:：](?:\s|$)/u;
const PHRASED_LETTER = /\b(?:answer|option|choice)\s*(?:is|:)?\s*:?\s*\(?([A-Z])\)?(?=[\s.,;:]|$)/iu;

/**
 * Reads an option letter from an answer: a lone letter ("B", "b"), a marked letter ("(B)", "b) text",
 * "B. text") or a phrase ("The answer is (B)"). Returns the upper-case letter.
 */
export function readChoiceLetter(text: string): string | undefined {
  const value = unwrapAnswer(text);
  if (/^[A-Za-z]$/u.test(value)) return value.toUpperCase();
  const marked = MARKED_LETTER.exec(value);
  const letter = marked?.[1] ?? marked?.[2] ?? marked?.[3] ?? PHRASED_LETTER.exec(value)?.[1];
  return letter?.toUpperCase();
}

/** A reference counts as a letter only in its plain forms: "B", "(B)", "B.", "B)". */
function readReferenceLetter(text: string): string | undefined {
  const match = /^\(?([A-Z])[).]?$/u.exec(unwrapAnswer(text));
  return match?.[1];
}

const OPTION_LINE = /^\s*\(?([A-Z])[).:：]\s*(.+?)\s*$/u;

/** Options listed in a question, one per line ("A. cat", "(B) dog", "C: bird"); at least two, else none. */
export function parseChoiceOptions(question: string): ChoiceOptions | undefined {
  const options: Record<string, string> = {};
  for (const line of question.split('\n')) {
    const match = OPTION_LINE.exec(line);
    if (match) options[match[1]!] = match[2]!;
  }
  return Object.keys(options).length >= 2 ? options : undefined;
}

function letterForText(text: string, options: ChoiceOptions | undefined): string | undefined {
  if (!options) return undefined;
  const wanted = normalizeShortAnswer(unwrapAnswer(text));
  if (wanted === '') return undefined;
  const found = Object.entries(options).find(([, optionText]) => normalizeShortAnswer(optionText) === wanted);
  return found?.[0];
}

/**
 * Applies when the reference is an option letter, or is the text of one of the options. The prediction
 * may give the letter in any common form or the option's text.
 */
export function verifyMultipleChoice(
  prediction: string,
  reference: string,
  options?: ChoiceOptions,
): RuleDecision | undefined {
  const expected = readReferenceLetter(reference) ?? letterForText(reference, options);
  if (expected === undefined) return undefined;
  const given = readChoiceLetter(prediction) ?? letterForText(prediction, options);
  return {
    correct: given === expected,
    verifier: 'multiple-choice',
    detail: `${given ?? 'no option'} vs ${expected}`,
  };
}
