import { pythonFloat } from '../../../protocol/python-number.js';

/** ChartQA's `_to_float`: a trailing `%` (all of them) divides by 100; anything else is Python's float(). */
export function chartNumber(text: string): number | undefined {
  if (text.endsWith('%')) {
    const value = pythonFloat(text.replace(/%+$/, ''));
    return value === undefined ? undefined : value / 100;
  }
  return pythonFloat(text);
}

export type RelaxedOutcome =
  /** Decided by the rule. */
  | { decided: true; correct: boolean; by: 'relative-change' | 'exact-text' }
  /** Not numeric and not equal as text: the fork asks its judge. */
  | { decided: false };

/**
 * pix2struct's relaxed correctness as the fork calls it (`relaxed_correctness_judge(pred, gt, …)` in
 * vqa_eval.py, arguments swapped): the relative change is measured against the PREDICTION, a prediction
 * that parses to 0 (or not at all) falls to the text comparison, and NaN is never within tolerance.
 * `target` and `prediction` are named as the fork's function names them; pass the model's answer as
 * `target` to reproduce the fork.
 */
export function relaxedCorrectness(
  target: string,
  prediction: string,
  maxRelativeChange = 0.05,
): RelaxedOutcome {
  const predictionValue = chartNumber(prediction);
  const targetValue = chartNumber(target);
  if (predictionValue !== undefined && targetValue !== undefined && targetValue !== 0) {
    return {
      decided: true,
      correct: Math.abs(predictionValue - targetValue) / Math.abs(targetValue) <= maxRelativeChange,
      by: 'relative-change',
    };
  }
  if (prediction.toLowerCase() === target.toLowerCase())
    return { decided: true, correct: true, by: 'exact-text' };
  return { decided: false };
}
