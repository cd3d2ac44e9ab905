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
export {
  createScorer,
  effectiveMode,
  type ScorerOptions,
  scoreInput,
  scoringInput,
} from './scoring/create-scorer.js';
export {
  SCORING_MODES,
  type Score,
  type ScoreInputs,
  type Scorer,
  type ScoringMode,
  type Verdict,
} from './scoring/scorer.js';
export type { ScoringInput, ScoringOutcome } from './scoring/scoring-input.js';
export {
  scoreVlmevalkit,
  VLMEVALKIT_RULES,
  type VlmevalkitRule,
} from './scoring/vlmevalkit/score-vlmevalkit.js';
