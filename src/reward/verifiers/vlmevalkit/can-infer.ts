import { pythonLength, pythonSplit } from '../../../protocol/python-text.js';

/** Option letter → option text, as VLMEvalKit's `build_choices` reads the A, B, … columns. */
export type LetterChoices = Readonly<Record<string, string>>;

const REFUSALS = [
  "Sorry, I can't help with images of people yet.",
  "I can't process this file.",
  "I'm sorry, but without the image provided",
  'Cannot determine the answer',
];
const SEPARATORS = /[.()[\],:;!*#{}]/g;

/**
 * `can_infer_option` (vlmeval/utils/matching_util.py): the answer's words after replacing `.()[],:;!*#{}`
 * with spaces; exactly one option letter among them, within the last five words, is the answer. A refusal
 * or a lone "Z" is "Z" (none of the options). Quirks kept: "A or D" names two letters and is rejected, but
 * "A car … is B" also names two (the article A); a letter followed by more than four words is ignored.
 */
export function canInferOption(answer: string, choices: LetterChoices): string | false {
  if (answer.includes('Failed to obtain answer via API')) return false;
  if (REFUSALS.some((refusal) => answer.includes(refusal))) return 'Z';
  const words = pythonSplit(answer.replace(SEPARATORS, ' '));
  const letters = Object.keys(choices);
  const count = letters.filter((letter) => words.includes(letter)).length;
  if (count === 1) {
    for (const letter of letters) {
      if (words.includes(letter) && words.indexOf(letter) > words.length - 5) return letter;
    }
  } else if (count === 0 && words.includes('Z')) {
    return 'Z';
  }
  return false;
}

/**
 * `can_infer_text`: the lower-cased answer contains exactly one option's lower-cased text, and is at
 * most twice as long as all option texts together.
 */
export function canInferText(answer: string, choices: LetterChoices): string | false {
  const lowered = answer.toLowerCase();
  const total = Object.values(choices).reduce((sum, text) => sum + pythonLength(String(text)), 0);
  if (pythonLength(lowered) > 2 * total) return false;
  const found = Object.keys(choices).filter((letter) =>
    lowered.includes(String(choices[letter]).toLowerCase()),
  );
  return found.length === 1 ? found[0]! : false;
}

/** `can_infer`: the letter reading, else the option-text reading; `false` when neither decides. */
export function canInfer(answer: string, choices: LetterChoices): string | false {
  return canInferOption(answer, choices) || canInferText(answer, choices);
}
