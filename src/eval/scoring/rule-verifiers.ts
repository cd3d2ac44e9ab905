/**
 * The answer checks the benchmark registry needs, as a small seam: `src/reward/` provides the full
 * verifiers (math equivalence through sympy, …); `basicRuleVerifiers` is a self-contained fallback
 * so evaluation works before and without them.
 */
export interface RuleVerifiers {
  /** Normalized short answers (case, articles, punctuation, whitespace); `reference` may hold " or " alternatives. */
  shortAnswer(prediction: string, reference: string): boolean | Promise<boolean>;
  /** Numbers with optional units, commas and percent; `relativeTolerance` 0 means equal after rounding. */
  number(
    prediction: string,
    reference: string,
    options?: { relativeTolerance?: number; precision?: number },
  ): boolean | Promise<boolean>;
  yesNo(prediction: string, reference: string): boolean | Promise<boolean>;
  /** Mathematical equivalence of final answers (LaTeX, fractions, decimals). */
  math(prediction: string, reference: string): boolean | Promise<boolean>;
}
