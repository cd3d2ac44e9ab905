import { evaluateNumber } from './evaluate-number.js';
import { latexToExpression } from './latex-to-expression.js';
import { normalizeMathAnswer } from './math-normalize.js';
import type { RuleDecision } from './rule-decision.js';
import type { SymbolicEquivalence } from './sympy-equivalence.js';

export type MathOptions = {
  /** sympy in a sandbox, for answers the pure fast path cannot decide (symbols, simplification). */
  symbolic?: SymbolicEquivalence;
  /** Relative tolerance for numeric answers. Default 1e-6. */
  relativeTolerance?: number;
};

function numericallyEqual(left: number, right: number, relativeTolerance: number): boolean {
  return (
    Math.abs(left - right) <= Math.max(1e-12, relativeTolerance * Math.max(Math.abs(left), Math.abs(right)))
  );
}

/**
 * Math equivalence: both sides normalised as upstream normalises the prediction, then equal strings,
 * then equal constant values (pure, "\frac{1}{2}" = "0.5"), then sympy, else unequal strings.
 */
export async function verifyMathAnswer(
  prediction: string,
  reference: string,
  options: MathOptions = {},
): Promise<RuleDecision> {
  const given = normalizeMathAnswer(prediction);
  const expected = normalizeMathAnswer(reference);
  const detail = `${JSON.stringify(given)} vs ${JSON.stringify(expected)}`;
  if (given === '' || expected === '') return { correct: false, verifier: 'math-normalized', detail };
  if (given === expected) return { correct: true, verifier: 'math-normalized', detail };
  const givenExpression = latexToExpression(given);
  const expectedExpression = latexToExpression(expected);
  if (givenExpression === undefined || expectedExpression === undefined) {
    return { correct: false, verifier: 'math-string', detail };
  }
  const givenValue = evaluateNumber(givenExpression);
  const expectedValue = evaluateNumber(expectedExpression);
  if (givenValue !== undefined && expectedValue !== undefined) {
    const correct = numericallyEqual(givenValue, expectedValue, options.relativeTolerance ?? 1e-6);
    return { correct, verifier: 'math-numeric', detail: `${givenValue} vs ${expectedValue}` };
  }
  if (options.symbolic) {
    const [decision] = await options.symbolic.equivalent([[givenExpression, expectedExpression]]);
    if (decision !== null && decision !== undefined) {
      return {
        correct: decision,
        verifier: 'math-sympy',
        detail: `${givenExpression} vs ${expectedExpression}`,
      };
    }
  }
  return { correct: false, verifier: 'math-string', detail };
}
