import type { EvalItem } from '../eval-item.js';

/** `unknown`: no verdict could be reached (the judge answered nonsense); recorded as an error, not wrong. */
export type Verdict = 'correct' | 'wrong' | 'unknown';

export type Score = {
  verdict: Verdict;
  /** Which check decided: choice, short-answer, relaxed-number, ocr, math, yes-no, number, judge, no-answer. */
  verifier: string;
  /** For multiple choice, the letter the prediction was read as. */
  extracted?: string;
  /** Judge name and raw reply, or why the rule failed. */
  detail?: string;
};

export interface Scorer {
  /** Throws a `DeepeyesError` on infrastructure failure (judge unreachable); the runner retries. */
  score(item: EvalItem, prediction: string | null, signal?: AbortSignal): Promise<Score>;
}
