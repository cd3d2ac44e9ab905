import { mmeRealWorldChoice } from '../../../reward/verifiers/vlmevalkit/mme-realworld-choice.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';

/** MME-RealWorld as the fork scores it: its own letter extraction, no judge. */
export function scoreMmeRealWorld(input: ScoringInput): ScoringOutcome {
  const letter = mmeRealWorldChoice(input.prediction);
  return {
    correct: letter !== '' && letter === input.reference,
    rule: 'mme-realworld-extraction',
    extracted: letter,
    judgeCalls: 0,
  };
}
