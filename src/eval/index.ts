/** The evaluation layer: dataset loaders, benchmark registry, scoring, resumable runner, analytics, reports. */
export { classifyCode } from './analytics/classify-code.js';
export { classifyToolCall, summarizeToolUse, type ToolUsage } from './analytics/classify-tool-call.js';
export { type GroupStats, type RunAnalytics, summarizeRun } from './analytics/summarize-run.js';
export { TOOL_CATEGORIES, TOOL_CATEGORY_LABELS, type ToolCategory } from './analytics/tool-category.js';
export type {
  BadRow,
  DatasetFormat,
  DatasetRow,
  DatasetScan,
  ImageSource,
} from './datasets/dataset-row.js';
export { loadDataset, readImageSource, scanDataset } from './datasets/load-dataset.js';
export type { Capabilities, EvalItem, EvalOption } from './eval-item.js';
export { letterOptions, shuffleOptions } from './options.js';
export type { AnswerRule, BenchmarkDefinition, BenchmarkFamily } from './registry/benchmark-definition.js';
export { BENCHMARKS, findBenchmark } from './registry/benchmarks.js';
export { type BuildOptions, buildItems } from './registry/build-items.js';
export { type LoadedRun, loadRun } from './report/load-run.js';
export { type WriteReportOptions, writeReport } from './report/write-report.js';
export { type BenchmarkRunResult, type RunBenchmarkOptions, runBenchmark } from './run-benchmark.js';
export { progressLine } from './runner/progress-line.js';
export { type EvalSummary, type RunEvaluationOptions, runEvaluation } from './runner/run-evaluation.js';
export type { RunItem, RunItemContext } from './runner/run-item.js';
export type { EvalProgress } from './runner/run-progress.js';
export { type ItemResult, type RunConfig, RunStore, type StoredItem } from './runner/run-store.js';
export { basicRuleVerifiers } from './scoring/basic-rule-verifiers.js';
export { type BenchmarkScorerOptions, createBenchmarkScorer } from './scoring/benchmark-scorer.js';
export { createChatJudge } from './scoring/chat-judge.js';
export type { EvalJudge, JudgeRequest, JudgeVerdict } from './scoring/eval-judge.js';
export { matchChoice } from './scoring/match-choice.js';
export { judgeFromReward, ruleVerifiersFromReward } from './scoring/reward-adapters.js';
export type { RuleVerifiers } from './scoring/rule-verifiers.js';
export type { Score, Scorer, Verdict } from './scoring/scorer.js';
