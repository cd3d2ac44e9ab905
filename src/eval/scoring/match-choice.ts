import type { EvalOption } from '../eval-item.js';

/**
 * Which option a free-form prediction picks, by letter or by option text. Matching option text
 * matters once options are shuffled: a model that answers "the red car" must be scored on the text,
 * and a bare "A" inside a sentence ("A man stands…") must not count as option A (a VLMEvalKit
 * failure mode).
 */
export type ChoiceMatch = { letter: string; by: 'letter' | 'text' | 'phrase' } | undefined;

export function matchChoice(prediction: string, options: readonly EvalOption[]): ChoiceMatch {
  const text = prediction
    .replace(/<\/?answer>/g, '')
    .replace(/\\boxed\{([^{}]*)\}/g, '$1')
    .trim();
  if (text === '' || options.length === 0) return undefined;
  const letters = new Set(options.map((option) => option.letter));

  // "B", "(B)", "B.", "b)", "[B]" and "B. some text", "(B) some text".
  const leading =
    /^[([]?([A-Za-z])[)\].:：]?(?:\s+|$)/.exec(text) ?? /^[([]?([A-Za-z])[)\].:：]\s*/.exec(text);
  if (leading) {
    const letter = leading[1]!.toUpperCase();
    const rest = text.slice(leading[0].length).trim();
    const isBareLetter = rest === '';
    const hasSeparator =
      /[)\].:：]/.test(leading[0]) || leading[0].startsWith('(') || leading[0].startsWith('[');
    // "A man …" is a sentence, not option A: only a bare letter or a letter with a separator counts.
    if (letters.has(letter) && (isBareLetter || hasSeparator)) return { letter, by: 'letter' };
  }

  const normalized = normalizeOptionText(text);
  const exact = options.find((option) => normalizeOptionText(option.text) === normalized);
  if (exact) return { letter: exact.letter, by: 'text' };

  const phrase = /\b(?:answer|option|choice)(?:\s+is)?\s*[:：]?\s*[([]?([A-Z])\b[)\]]?/i.exec(text);
  if (phrase && letters.has(phrase[1]!.toUpperCase()))
    return { letter: phrase[1]!.toUpperCase(), by: 'phrase' };

  // The prediction mentions option texts: take the longest one found if no other option text
  // outside it is also present ("dark red" wins over "red" when both would match).
  const found = options
    .map((option) => ({ option, text: normalizeOptionText(option.text) }))
    .filter(({ text: optionText }) => optionText !== '' && containsWords(normalized, optionText))
    .sort((left, right) => right.text.length - left.text.length);
  const longest = found[0];
  if (longest && found.every(({ text: optionText }) => longest.text.includes(optionText))) {
    return { letter: longest.option.letter, by: 'text' };
  }

  // A lone capital option letter in a short sentence ("It is B.").
  const standalone = [...text.matchAll(/(?<![A-Za-z])([A-Z])(?![A-Za-z])/g)]
    .filter((match) => !(match[1] === 'A' && /^\s+[a-z]/.test(text.slice((match.index ?? 0) + 1))))
    .map((match) => match[1]!)
    .filter((letter) => letters.has(letter));
  if (new Set(standalone).size === 1 && text.length <= 80) return { letter: standalone[0]!, by: 'letter' };
  return undefined;
}

export function normalizeOptionText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s\u00a0]+/g, ' ')
    .replace(/^[\s"'“”‘’]+|[\s"'“”‘’.。!?;,]+$/g, '')
    .trim();
}

function containsWords(haystack: string, needle: string): boolean {
  const escaped = needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])${escaped}(?:$|[^\\p{L}\\p{N}])`, 'u').test(haystack);
}
