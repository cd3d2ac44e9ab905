/** Names of the rule verifiers, reported as `decidedBy: "rule:<name>"`. */
export type RuleVerifierName =
  | 'multiple-choice'
  | 'number'
  | 'yes-no'
  | 'short-answer'
  | 'math-normalized'
  | 'math-numeric'
  | 'math-sympy'
  | 'math-string'
  | 'exact';

/** A rule verifier's decision; a verifier that does not apply returns undefined instead. */
export type RuleDecision = {
  correct: boolean;
  verifier: RuleVerifierName;
  /** Which alternative of the reference matched (RealX-Bench "A or B"), when there were several. */
  matchedAlternative?: string;
  /** Short human-readable reason, e.g. the normalised forms compared. */
  detail?: string;
};
