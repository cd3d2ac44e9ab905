import { answerAlternatives } from '../../../reward/verifiers/answer-list.js';
import { ocrbenchMatch } from '../../../reward/verifiers/vlmevalkit/ocrbench-match.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';

/** OCRBench as the fork scores it: any list alternative as a substring (no judge). */
export function scoreOcrbench(input: ScoringInput): ScoringOutcome {
  const alternatives = answerAlternatives(input.reference);
  return {
    correct: ocrbenchMatch(input.prediction, alternatives, input.category ?? ''),
    rule: 'ocrbench',
    judgeCalls: 0,
  };
}
