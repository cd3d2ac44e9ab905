import type { EvalOption } from './eval-item.js';
import { hashString, seededRandom, shuffled } from './seeded-random.js';

export const OPTION_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** Letters options A, B, … in the given order. */
export function letterOptions(texts: readonly string[]): EvalOption[] {
  return texts.map((text, position) => ({ letter: OPTION_LETTERS[position]!, text }));
}

/**
 * Shuffles options with a stream seeded by (seed, item id) and re-letters them; returns the new
 * options and the letter the correct option now has. V* stores every correct answer as option A,
 * so a benchmark like it must be shuffled or a model answering "A" scores 100 %.
 */
export function shuffleOptions(
  options: readonly EvalOption[],
  answerLetter: string,
  seed: number,
  itemId: string,
): { options: EvalOption[]; answerLetter: string } {
  const correctText = options.find((option) => option.letter === answerLetter)?.text;
  const random = seededRandom(hashString(`${seed}:${itemId}`));
  const order = shuffled(options, random);
  const relettered = letterOptions(order.map((option) => option.text));
  const position = order.findIndex((option) => option.letter === answerLetter);
  const newLetter = relettered[position]?.letter;
  if (correctText === undefined || newLetter === undefined) {
    throw new Error(`answer ${answerLetter} is not among the options of item ${itemId}`);
  }
  return { options: relettered, answerLetter: newLetter };
}
