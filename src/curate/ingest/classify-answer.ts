import type { AnswerType } from '../curation-item.js';

const YES_NO = /^(yes|no)\.?$/iu;
/** Plain numbers: 12, -3.5, 1,234, 45%, 1e-3. */
const NUMBER = /^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d+)?%?$/u;
/** Signs of a math expression rather than a word: LaTeX, operators between terms, roots, π. */
const MATH = /\\[a-z]+|[\^√π∞]|\d\s*\/\s*\d|[a-z]\s*=|\d\s*[*×]\s*\d|^\(.*,.*\)$|sqrt|\bpi\b/iu;

export function isNumberAnswer(answer: string): boolean {
  const text = answer.trim();
  return text !== '' && /\d/u.test(text) && NUMBER.test(text);
}

export function isYesNoAnswer(answer: string): boolean {
  return YES_NO.test(answer.trim());
}

/** The option letter an answer names: `B`, `(B)`, `B.` or the option's own text. */
export function choiceLetter(answer: string, options: Record<string, string>): string | undefined {
  const text = answer.trim();
  const letter = /^\(?([A-Z])\)?[.:]?$/u.exec(text)?.[1];
  if (letter && letter in options) return letter;
  const lowered = text.toLowerCase();
  return Object.entries(options).find(([, value]) => value.trim().toLowerCase() === lowered)?.[0];
}

/**
 * The answer type an item is checked with, read off its answer (and options). Pure. A source may
 * name the type itself; this is the fallback.
 */
export function classifyAnswer(answer: string, options?: Record<string, string>): AnswerType {
  if (options && Object.keys(options).length > 0 && choiceLetter(answer, options)) return 'choice';
  if (isYesNoAnswer(answer)) return 'yes-no';
  if (isNumberAnswer(answer)) return 'number';
  if (MATH.test(answer)) return 'math';
  return 'short-text';
}
