import { type MathOptions, verifyMathAnswer } from './math-answer.js';
import { type ChoiceOptions, parseChoiceOptions, verifyMultipleChoice } from './multiple-choice.js';
import { type NumberOptions, verifyNumber } from './number.js';
import type { RuleDecision } from './rule-decision.js';
import { verifyShortAnswer } from './short-answer.js';
import { verifyYesNo } from './yes-no.js';

export type RuleVerifyInput = {
  prediction: string;
  reference: string;
  /** Used to find listed options ("A. cat\nB. dog") for multiple-choice answers. */
  question?: string;
  /** Options given explicitly; they win over options parsed from the question. */
  options?: ChoiceOptions;
  /** `math`: normalisation + equivalence (reason data); `general`: everything else. */
  kind: 'general' | 'math';
};

export type RuleVerifierOptions = NumberOptions & MathOptions;

/**
 * RealX-Bench joins acceptable answers with " or " ("Paris or Paris, France"). The whole reference is
 * tried first, so an answer that itself contains " or " still matches.
 */
export function referenceAlternatives(reference: string): string[] {
  const parts = reference
    .split(/\s+or\s+/u)
    .map((part) => part.trim())
    .filter((part) => part !== '');
  return parts.length > 1 ? [reference, ...parts] : [reference];
}

function decideGeneral(
  prediction: string,
  reference: string,
  options: ChoiceOptions | undefined,
  settings: RuleVerifierOptions,
): RuleDecision {
  return (
    verifyMultipleChoice(prediction, reference, options) ??
    verifyYesNo(prediction, reference) ??
    verifyNumber(prediction, reference, settings) ??
    verifyShortAnswer(prediction, reference)
  );
}

/** Decides correctness without a judge, naming the verifier that decided. */
export async function verifyByRules(
  input: RuleVerifyInput,
  settings: RuleVerifierOptions = {},
): Promise<RuleDecision> {
  const options = input.options ?? (input.question ? parseChoiceOptions(input.question) : undefined);
  const alternatives = referenceAlternatives(input.reference);
  let first: RuleDecision | undefined;
  for (const alternative of alternatives) {
    const choice = verifyMultipleChoice(input.prediction, alternative, options);
    const decision =
      input.kind === 'math'
        ? (choice ?? (await verifyMathAnswer(input.prediction, alternative, settings)))
        : decideGeneral(input.prediction, alternative, options, settings);
    if (decision.correct) {
      return alternative === input.reference ? decision : { ...decision, matchedAlternative: alternative };
    }
    first ??= decision;
  }
  return first!;
}
