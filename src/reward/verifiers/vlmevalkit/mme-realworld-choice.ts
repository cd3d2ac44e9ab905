import { pythonSplit, pythonStrip } from '../../../protocol/python-text.js';

const CHOICES = ['(A)', '(B)', '(C)', '(D)', '(E)'];
/**
 * The prefixes the fork strips, as its list really reads: two commas are missing in the source, so
 * "The best option is" + "The correct option is" and "Best answer:" + "Best option:" are single strings.
 */
const PREFIXES = [
  'The best answer is',
  'The correct answer is',
  'The answer is',
  'The answer',
  'The best option isThe correct option is',
  'Best answer:Best option:',
];

/**
 * MME-RealWorld's letter extraction (`extract_characters_regex` in the fork's multiple_choice.py, after
 * `MMERealWorld.evaluate` takes the `<answer>` content upper-cased). Quirks kept, each changes numbers:
 * - the first capital A–E anywhere wins ("Based on …" reads as B, "Option C" as C);
 * - `\boxed{(A)}` is returned as "(A)", which never equals the answer letter;
 * - an empty answer, or one that occurs inside "(a)" (")", "a"), reads as A;
 * - only an `<answer>` tag's content is upper-cased, so a bare "b" reads as B only through the rule above.
 */
export function mmeRealWorldChoice(prediction: string): string {
  const tagged = /<answer>([\s\S]*?)<\/answer>/.exec(prediction);
  let text = tagged ? pythonStrip(tagged[1]!).toUpperCase() : prediction;
  text = pythonStrip(text);
  const boxed = /^[^\n]*\\boxed\{([^}]*)\}/m.exec(text);
  if (boxed && CHOICES.includes(boxed[1]!)) return boxed[1]!;
  for (const prefix of PREFIXES) text = text.split(prefix).join('');
  if (pythonSplit(text).length > 10 && !/[ABCDE]/.test(text)) return '';
  const letter = /[ABCDE]/.exec(text);
  if (letter) return letter[0];
  const found = CHOICES.find((choice) => choice.toLowerCase().includes(text.toLowerCase()));
  return found ? found[1]! : '';
}
