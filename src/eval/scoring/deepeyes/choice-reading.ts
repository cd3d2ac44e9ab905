import { readChoiceLetter } from '../../../reward/verifiers/multiple-choice.js';
import { canInfer, type LetterChoices } from '../../../reward/verifiers/vlmevalkit/can-infer.js';

const HEDGE = /\b(?:or|either|and|both|between)\b/i;

/**
 * The option letter an answer picks, for the `deepeyes` mode. Fix `mcq-hedge`: an answer that names two
 * or more option letters as words and hedges between them ("A or D", "Either A or C", "B and C") picks
 * none. Fix `mcq-answer-tag`: the `<answer>` content is read when the model kept the tags. Otherwise
 * VLMEvalKit's `can_infer`, then the reward layer's reading of phrased letters ("The correct option is (B)").
 */
export function readOptionLetter(prediction: string, choices: LetterChoices): string | undefined {
  const tagged = /<answer>([\s\S]*?)<\/answer>/.exec(prediction);
  const text = (tagged ? tagged[1]! : prediction).trim();
  const named = new Set(
    (text.match(/(?<![\p{L}\p{N}])[A-Z](?![\p{L}\p{N}])/gu) ?? []).filter((letter) => letter in choices),
  );
  if (named.size >= 2 && HEDGE.test(text)) return undefined;
  const inferred = canInfer(text, choices);
  if (inferred && inferred !== 'Z') return inferred;
  const phrased = readChoiceLetter(text);
  return phrased && phrased in choices ? phrased : undefined;
}
