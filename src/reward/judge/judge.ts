/**
 * The LLM-judge seam. `semantic`: does the prediction mean the same as the reference (perception and
 * search answers, a Yes/No verdict); `math`: are they mathematically equivalent (reasoning answers, a
 * TRUE/FALSE verdict).
 */
export type JudgeStyle = 'semantic' | 'math';

export type JudgeItem = {
  style: JudgeStyle;
  question: string;
  reference: string;
  /** Null only in `upstream-rl`, which asks the judge even without an answer (it renders "None"). */
  prediction: string | null;
};

/** `unknown`: the judge never gave a verdict we could read, or could not be reached. */
export type Verdict = 'correct' | 'incorrect' | 'unknown';

export type JudgeResult = {
  verdict: Verdict;
  /** The verdict text as read from the reply ("Yes", "FALSE"), null when none was found. */
  parsed: string | null;
  /** Every raw reply received, in order (one per attempt that got an answer). */
  replies: string[];
  /** Model calls made (0 on a cache hit). */
  attempts: number;
  cached: boolean;
  /** Judge model name, as used in the cache key. */
  model: string;
  promptVersion: string;
  /** Why the verdict is unknown when a call failed (timeout, server error). */
  error?: string;
};

export interface Judge {
  /** Judge model name, shown in every reward. */
  readonly name: string;
  judge(item: JudgeItem, signal?: AbortSignal): Promise<JudgeResult>;
  /**
   * Upstream's validation judge (`compute_score_acc`, bug 31), only for reproducing `upstream-rl`.
   * Judges without it cannot score validation data in that profile.
   */
  judgeUpstreamValidation?(item: JudgeItem, signal?: AbortSignal): Promise<JudgeResult>;
}
