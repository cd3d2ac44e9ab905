import type { Judge } from '../../reward/judge/judge.js';
import type { TaskJudge } from '../../reward/judge/judge-task.js';
import type { EvalItem } from '../eval-item.js';
import type { BenchmarkDefinition } from '../registry/benchmark-definition.js';
import { findBenchmark } from '../registry/benchmarks.js';
import { scoreDeepeyes } from './deepeyes/score-deepeyes.js';
import type { Score, ScoreInputs, Scorer, ScoringMode } from './scorer.js';
import type { ScoringInput } from './scoring-input.js';
import type { McqFallback } from './vlmevalkit/mcq-fallback.js';
import { scoreVlmevalkit } from './vlmevalkit/score-vlmevalkit.js';

export type ScorerOptions = {
  /** `auto` (default): `vlmevalkit` for benchmarks the fork scores, `deepeyes` for the rest. */
  mode?: ScoringMode | 'auto';
  /** The judge for `vlmevalkit` mode's judge paths (the fork's decision structure). */
  taskJudge?: TaskJudge;
  /** The reward layer's judge, for `deepeyes` mode. */
  judge?: Judge;
  /** `vlmevalkit` multiple choice when no option can be read (default: a seeded random letter, seed 0). */
  mcqFallback?: McqFallback;
};

/** The mode a benchmark is scored in: `vlmevalkit` only where the fork's scoring is reproduced. */
export function effectiveMode(requested: ScoringMode | 'auto', definition: BenchmarkDefinition): ScoringMode {
  if (requested === 'deepeyes' || !definition.vlmevalkit) return 'deepeyes';
  return 'vlmevalkit';
}

/** Plain scoring inputs from an item (also what the store keeps for re-scoring). */
export function scoringInput(item: EvalItem, prediction: string): ScoringInput {
  const inputs = scoreInputs(item);
  return {
    id: item.id,
    benchmark: item.benchmark,
    question: item.question,
    reference: item.answer,
    prediction,
    ...inputs,
  };
}

export function scoreInputs(item: EvalItem): ScoreInputs {
  const category = item.groups.category ?? item.category;
  return {
    ...(item.options
      ? { options: Object.fromEntries(item.options.map((option) => [option.letter, option.text])) }
      : {}),
    ...(Object.keys(item.meta).length > 0 ? { meta: { ...item.meta } } : {}),
    ...(category ? { category } : {}),
  };
}

/** Scores one input in one mode (live runs and re-scoring share it). */
export async function scoreInput(
  input: ScoringInput,
  mode: ScoringMode | 'auto',
  options: Omit<ScorerOptions, 'mode'>,
  signal?: AbortSignal,
): Promise<Score> {
  const definition = findBenchmark(input.benchmark);
  const effective = effectiveMode(mode, definition);
  const judgeName = effective === 'vlmevalkit' ? options.taskJudge?.name : options.judge?.name;
  const common = { mode: effective, ...(judgeName ? { judge: judgeName } : {}) };
  if (effective === 'deepeyes' && input.prediction.trim() === '') {
    // Fix `empty-answer`: an empty answer is wrong without asking anyone (the fork scores an empty
    // string through its rules: OCRBench's empty alternatives and MME-RealWorld's extraction accept it).
    return {
      verdict: 'wrong',
      verifier: 'no-answer',
      detail: 'the model gave no answer',
      judgeCalls: 0,
      ...common,
    };
  }
  const outcome =
    effective === 'vlmevalkit' && definition.vlmevalkit
      ? await scoreVlmevalkit(definition.vlmevalkit, input, options.taskJudge, signal, options.mcqFallback)
      : await scoreDeepeyes(
          input,
          {
            ...(definition.vlmevalkit ? { family: definition.vlmevalkit } : {}),
            kind: definition.rule === 'math' || definition.family === 'math' ? 'math' : 'general',
            useJudge: definition.useJudge,
            judgeStyle: definition.judgeStyle,
          },
          options.judge,
          signal,
        );
  const unknown = outcome.detail?.startsWith('unknown: ') ?? false;
  return {
    verdict: unknown ? 'unknown' : outcome.correct ? 'correct' : 'wrong',
    verifier: outcome.rule,
    ...(outcome.extracted === undefined ? {} : { extracted: outcome.extracted }),
    ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
    judgeCalls: outcome.judgeCalls,
    ...common,
  };
}

/** The evaluation scorer: the item's benchmark, the run's mode, the judges configured. */
export function createScorer(options: ScorerOptions = {}): Scorer {
  return {
    async score(item, prediction, signal) {
      const inputs = scoreInputs(item);
      if (prediction === null) {
        const definition = findBenchmark(item.benchmark);
        return {
          verdict: 'wrong',
          verifier: 'no-answer',
          detail: 'the model gave no answer',
          mode: effectiveMode(options.mode ?? 'auto', definition),
          judgeCalls: 0,
          inputs,
        };
      }
      const score = await scoreInput(scoringInput(item, prediction), options.mode ?? 'auto', options, signal);
      return { ...score, inputs };
    },
  };
}
