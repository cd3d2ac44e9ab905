export { createRewardScorer, type RewardScorer, type RewardScorerOptions } from './compute-reward.js';
export { extractFinalAnswer } from './extract-answer.js';
export { checkFormat, type FormatCheck, type FormatIssue, type FormatOptions } from './format-check.js';
export type { Judge, JudgeItem, JudgeResult, JudgeStyle, Verdict } from './judge/judge.js';
export { type JudgeCache, type JudgeCacheKey, openJudgeCache } from './judge/judge-cache.js';
export {
  DEFAULT_PROMPTS,
  type JudgePrompt,
  MATH_PROMPT,
  renderTemplate,
  SEMANTIC_PROMPT,
} from './judge/judge-prompts.js';
export {
  DETERMINISTIC_SAMPLING,
  LlmJudge,
  type LlmJudgeOptions,
  type Sampling,
  UPSTREAM_SAMPLING,
} from './judge/llm-judge.js';
export { loadJudgePrompt, type PromptFiles } from './judge/load-judge-prompt.js';
export {
  parseMathVerdict,
  parseMathVerdictUpstream,
  parseSemanticVerdict,
  parseSemanticVerdictUpstream,
  parseValidationVerdictUpstream,
} from './judge/parse-verdict.js';
export { type ConcurrencyLimit, limitConcurrency, QueueFullError } from './limit-concurrency.js';
export {
  DEEPEYES_V1_FORMULA,
  type FormulaOutcome,
  type FormulaParts,
  PERCEPTION_FORMULA,
  REASON_FORMULA,
  type RewardFormula,
  RewardFormulaRegistry,
  SEARCH_FORMULA,
  VALIDATION_FORMULA,
} from './reward-formulas.js';
export { type RewardItem, rewardItemSchema, toRewardRequest } from './reward-request-schema.js';
export type { DecidedBy, RewardProfile, RewardRequest, RewardResult } from './reward-result.js';
export {
  openRewardSetup,
  type RewardSetup,
  type RewardSetupConfig,
  type RewardSetupDeps,
} from './reward-setup.js';
export { detectToolUse, type ToolUse } from './tool-use.js';
export { splitTrajectory, type TrajectoryMessage, type TrajectoryText } from './trajectory-text.js';
export { normalizeMathAnswer } from './verifiers/math-normalize.js';
export type { RuleDecision, RuleVerifierName } from './verifiers/rule-decision.js';
export { type RuleVerifierOptions, type RuleVerifyInput, verifyByRules } from './verifiers/rule-verifier.js';
export { createSympyEquivalence, type SymbolicEquivalence } from './verifiers/sympy-equivalence.js';
