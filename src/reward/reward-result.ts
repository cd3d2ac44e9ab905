import type { FormatIssue } from './format-check.js';
import type { JudgeResult } from './judge/judge.js';
import type { ToolUse } from './tool-use.js';
import type { TrajectoryMessage } from './trajectory-text.js';
import type { RuleDecision } from './verifiers/rule-decision.js';

/** `deepeyesv2`: upstream's reward with the fixes listed in DESIGN.md; `upstream-rl`: upstream exactly. */
export type RewardProfile = 'deepeyesv2' | 'upstream-rl';

/** One item to score, as the trainer sends it. */
export type RewardRequest = {
  /** The decoded response (turns + observations) or the same as role/content messages. */
  trajectory: string | TrajectoryMessage[];
  groundTruth: string;
  /** Selects the formula: perception, search, reason, vstar-test, … */
  dataSource: string;
  question?: string;
  /** Use this formula instead of the data source's. */
  formula?: string;
  /** Multiple-choice options for the rule verifiers, e.g. `{ A: 'cat', B: 'dog' }`. */
  options?: Record<string, string>;
};

/**
 * How the accuracy was decided: the judge, a rule verifier (`rule:<name>`), or a rule of the reward
 * itself (no answer, answer too long, math answer normalised to nothing, upstream's exact/prefix match).
 */
export type DecidedBy =
  | 'judge'
  | `rule:${RuleDecision['verifier']}`
  | 'no-answer'
  | 'answer-too-long'
  | 'normalized-empty'
  | 'upstream-exact-match';

export type RewardResult = {
  score: number;
  acc: number;
  /** 1 or 0; null for validation formulas, which have no format part. */
  format: number | null;
  penalties: Record<string, number>;
  bonuses: Record<string, number>;
  formula: string;
  dataSource: string;
  profile: RewardProfile;
  /** The extracted final answer (before math normalisation), null when there is none. */
  answer: string | null;
  formatIssues: FormatIssue[];
  decidedBy: DecidedBy;
  /** The judge's verdict when it was asked (also when a rule decided after an unknown verdict). */
  judge?: Omit<JudgeResult, 'replies'> & { reply?: string };
  rule?: RuleDecision;
  toolUse: ToolUse;
  /** Things the caller should know: no judge configured, judge verdict unknown, … */
  notes: string[];
};
