import { normalizeShortAnswer, unwrapAnswer } from './normalize-text.js';
import type { RuleDecision } from './rule-decision.js';

/** Equal after normalisation (case, articles, punctuation, whitespace). Always applies. */
export function verifyShortAnswer(prediction: string, reference: string): RuleDecision {
  const left = normalizeShortAnswer(unwrapAnswer(prediction));
  const right = normalizeShortAnswer(unwrapAnswer(reference));
  return {
    correct: left !== '' && left === right,
    verifier: 'short-answer',
    detail: `${JSON.stringify(left)} vs ${JSON.stringify(right)}`,
  };
}
