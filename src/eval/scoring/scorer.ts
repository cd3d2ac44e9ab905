import type { EvalItem } from '../eval-item.js';

/** `unknown`: no verdict could be reached (the judge answered nonsense); recorded as an error, not wrong. */
export type Verdict = 'correct' | 'wrong' | 'unknown';

/**
 * `vlmevalkit`: DeepEyesV2's VLMEvalKit fork's scoring, quirks included (comparable with the paper);
 * `deepeyes`: our corrected scoring, every fix named in docs/evaluation.md.
 */
export type ScoringMode = 'vlmevalkit' | 'deepeyes';
export const SCORING_MODES: readonly ScoringMode[] = ['vlmevalkit', 'deepeyes'];

/** What re-scoring needs beyond the stored question, reference and category. */
export type ScoreInputs = {
  options?: Record<string, string>;
  meta?: Record<string, string | number | boolean>;
  category?: string;
};

export type Score = {
  verdict: Verdict;
  /** Which check decided, e.g. `ocrbench`, `can-infer`, `judge:verify`, `short-answer`, `no-answer`. */
  verifier: string;
  /** What the answer was read as (an option letter, Yes/No, an extracted answer). */
  extracted?: string;
  /** Judge reply, or why the rule failed. */
  detail?: string;
  /** The mode that produced this score (a benchmark outside the fork's families is scored `deepeyes`). */
  mode?: ScoringMode;
  /** Judge name when one was configured. */
  judge?: string;
  /** Judge calls made for this item. */
  judgeCalls?: number;
  inputs?: ScoreInputs;
  /** `last-turn`: the trajectory gave no answer and its last response was scored (final-prediction.ts). */
  predictionSource?: 'last-turn';
};

export interface Scorer {
  /** Throws a `DeepeyesError` on infrastructure failure (judge unreachable); the runner retries. */
  score(item: EvalItem, prediction: string | null, signal?: AbortSignal): Promise<Score>;
}
