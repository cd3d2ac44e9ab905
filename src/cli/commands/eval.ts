import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DeepeyesError } from '../../errors.js';
import { DATASET_FORMATS } from '../../eval/datasets/dataset-row.js';
import type { BenchmarkDefinition } from '../../eval/registry/benchmark-definition.js';
import { BENCHMARKS, findBenchmark } from '../../eval/registry/benchmarks.js';
import { type BenchmarkRunResult, runBenchmark } from '../../eval/run-benchmark.js';
import { progressLine } from '../../eval/runner/progress-line.js';
import type { RunItem } from '../../eval/runner/run-item.js';
import { createScorer, effectiveMode } from '../../eval/scoring/create-scorer.js';
import type { ScoringMode } from '../../eval/scoring/scorer.js';
import type { McqFallback } from '../../eval/scoring/vlmevalkit/mcq-fallback.js';
import { OpenAIChatModel } from '../../model/openai-chat-model.js';
import { LlmJudge, openJudgeCache } from '../../reward/index.js';
import { CachedTaskJudge, taskPromptVersion } from '../../reward/judge/cached-task-judge.js';
import type { Judge } from '../../reward/judge/judge.js';
import type { TaskJudge } from '../../reward/judge/judge-task.js';
import { LlmTaskJudge, loadTaskPrompts } from '../../reward/judge/llm-task-judge.js';
import { TASK_PROMPTS } from '../../reward/judge/task-prompts.js';
import { type CliIO, processIO } from '../io.js';
import { registerReportCommand } from './report.js';
import { addAgentFlags } from './run-options.js';

const positiveInt = z.coerce.number().int().positive();

/** Eval flags; the agent's flags pass through untouched for `createRunItem` (parse them with `agentFlagsSchema`). */
export const evalFlagsSchema = z
  .looseObject({
    bench: z.string().min(1, 'name the benchmark with --bench (e.g. realx-bench, vstar, mathvista)'),
    data: z.string().min(1, 'give the benchmark file with --data'),
    model: z.string().optional(),
    replay: z.string().optional(),
    out: z.string().min(1, 'give the run directory with --out'),
    mode: z.enum(['agent', 'code', 'think', 'direct']).default('agent'),
    concurrency: positiveInt.default(4),
    limit: positiveInt.optional(),
    judge: z.string().url().optional(),
    judgeModel: z.string().optional(),
    /** `auto`: the fork's scoring where VLMEvalKit has the benchmark, deepeyes' elsewhere. */
    scoring: z.enum(['auto', 'vlmevalkit', 'deepeyes']).default('auto'),
    judgePromptFile: z.array(z.string()).default([]),
    /** vlmevalkit multiple choice with no readable option: a seeded random letter or Z (the fork's way), or wrong. */
    mcqFallback: z.enum(['random', 'wrong']).default('random'),
    mcqFallbackSeed: z.coerce.number().int().default(0),
    /** Seed of the option shuffling (the agent's sampling seed is `--seed`, an agent flag). */
    optionSeed: z.coerce.number().int().default(0),
    shuffle: z.boolean().optional(),
    resume: z.boolean().default(false),
    maxAttempts: positiveInt.default(3),
    format: z.enum(DATASET_FORMATS).optional(),
    imageDir: z.string().optional(),
    report: z.boolean().default(true),
  })
  .refine((flags) => Boolean(flags.model) !== Boolean(flags.replay), {
    message: 'give exactly one of --model URL[,URL…] or --replay FILE',
    path: ['model'],
  });
export type EvalFlags = z.infer<typeof evalFlagsSchema>;

/** What the agent factory is told about the run. */
export type EvalAgentContext = {
  flags: EvalFlags;
  benchmark: BenchmarkDefinition;
  runDirectory: string;
  io: CliIO;
};

/** The agent for one evaluation run: `runItem` plus what to print in the header and how to clean up. */
export type EvalAgent = { runItem: RunItem; describe?: string[]; close?(): Promise<void> };

export type EvalDependencies = {
  /** Builds the agent (model, sandbox, search) from the flags; the real agent is plugged in here. */
  createRunItem(context: EvalAgentContext): Promise<EvalAgent> | EvalAgent;
  /**
   * Builds the judges from --judge; default: over an OpenAI-compatible server, the reward layer's
   * LlmJudge (deepeyes mode, cached in the run directory) and an LlmTaskJudge (vlmevalkit mode).
   */
  createJudge?(url: string, flags: EvalFlags, runDirectory: string): Promise<EvalJudges>;
  signal?: AbortSignal;
};

/** Used until the agent is wired in: says so instead of running nothing. */
export const agentNotWired: EvalDependencies['createRunItem'] = () => {
  throw new DeepeyesError('agent-not-wired', 'deepeyes eval has no agent to run items with', {
    hint: 'registerEvalCommands(program, io, { createRunItem }) must be given the agent factory',
  });
};

/** The two faces of one judge server: the reward layer's verdicts and VLMEvalKit's judge tasks. */
export type EvalJudges = { name: string; judge: Judge; taskJudge: TaskJudge; close?(): void };

export async function defaultCreateJudge(
  url: string,
  flags: { judgeModel?: string | undefined; judgePromptFile: string[] },
  runDirectory: string,
): Promise<EvalJudges> {
  const prompts = await loadTaskPrompts(flags.judgePromptFile);
  const cache = openJudgeCache(join(runDirectory, 'judge-cache.sqlite'));
  const model = new OpenAIChatModel({
    baseUrls: [url],
    ...(flags.judgeModel ? { model: flags.judgeModel } : {}),
  });
  const judge = new LlmJudge({ models: [model], cache });
  const taskJudge = new CachedTaskJudge(
    new LlmTaskJudge({ models: [model], modelName: judge.name, prompts }),
    join(runDirectory, 'judge-cache.sqlite'),
    taskPromptVersion({ ...TASK_PROMPTS, ...prompts }),
  );
  return {
    name: judge.name,
    judge,
    taskJudge,
    close: () => {
      cache.close?.();
      taskJudge.close();
    },
  };
}

/** What the run records about its scoring, and what the header prints. */
export function scoringSummary(
  mode: ScoringMode,
  judge: string | undefined,
  benchmark: BenchmarkDefinition,
): string {
  const source =
    mode === 'vlmevalkit' ? "DeepEyesV2's VLMEvalKit fork" : 'deepeyes (corrected, see docs/evaluation.md)';
  const judged = benchmark.vlmevalkit !== undefined || benchmark.useJudge;
  return `${mode}: ${source}; ${judge ? `judge ${judge}` : judged ? 'rules only (no --judge given)' : 'rules only'}`;
}

/** `deepeyes eval`: runs a benchmark item by item into DIR's store, then writes report.md and report.html. */
export async function evalCommand(
  rawFlags: unknown,
  io: CliIO,
  dependencies: EvalDependencies,
): Promise<BenchmarkRunResult & { reportPaths?: { markdownPath: string; htmlPath: string } }> {
  const flags = evalFlagsSchema.parse(rawFlags);
  const benchmark = findBenchmark(flags.bench);
  const runDirectory = resolve(flags.out);
  const agent = await dependencies.createRunItem({ flags, benchmark, runDirectory, io });
  const createJudge = dependencies.createJudge ?? defaultCreateJudge;
  const judge = flags.judge ? await createJudge(flags.judge, flags, runDirectory) : undefined;
  const models = flags.replay
    ? [`replay:${resolve(flags.replay)}`]
    : flags.model!.split(',').map((url) => url.trim());
  io.err(`deepeyes eval · ${benchmark.title} · ${flags.mode} · ${models.join(', ')}\n`);
  for (const line of agent.describe ?? []) io.err(`  ${line}\n`);
  const scoringMode = effectiveMode(flags.scoring, benchmark);
  const mcqFallback: McqFallback =
    flags.mcqFallback === 'random' ? { kind: 'random', seed: flags.mcqFallbackSeed } : { kind: 'wrong' };
  io.err(`  scoring: ${scoringSummary(scoringMode, judge?.name, benchmark)}\n`);

  let lastDraw = 0;
  const onProgress = (progress: Parameters<typeof progressLine>[0]) => {
    const line = progressLine(progress);
    if (io.interactive) {
      io.err(`\r${line}`);
    } else if (Date.now() - lastDraw > 5000 || progress.finished === progress.total) {
      lastDraw = Date.now();
      io.err(`${line}\n`);
    }
    if (progress.last?.status === 'error')
      io.err(`${io.interactive ? '\n' : ''}  item ${progress.last.id}: ${progress.last.error}\n`);
  };
  // The report's modules (vega most of all) load while the first items wait on the model, not after the last.
  const reportModules = flags.report ? import('../../eval/report/write-report.js') : undefined;
  if (flags.report)
    void import('../../eval/report/charts.js')
      .then((charts) => charts.preloadChartLibraries())
      .catch(() => undefined);
  reportModules?.catch(() => undefined);
  try {
    const result = await runBenchmark({
      benchmark: benchmark.name,
      dataPath: flags.data,
      runDirectory,
      models,
      mode: flags.mode,
      concurrency: flags.concurrency,
      ...(flags.limit ? { limit: flags.limit } : {}),
      seed: flags.optionSeed,
      ...(flags.shuffle === undefined ? {} : { shuffleOptions: flags.shuffle }),
      resume: flags.resume,
      maxAttempts: flags.maxAttempts,
      judge: flags.judge ?? null,
      scoring: { mode: scoringMode, judge: judge?.name ?? null, mcqFallback },
      extra: agentSettings(flags),
      ...(flags.format ? { format: flags.format } : {}),
      ...(flags.imageDir ? { imageDirectory: flags.imageDir } : {}),
      runItem: agent.runItem,
      scorer: createScorer({
        mode: flags.scoring,
        mcqFallback,
        ...(judge ? { judge: judge.judge, taskJudge: judge.taskJudge } : {}),
      }),
      ...(dependencies.signal ? { signal: dependencies.signal } : {}),
      onProgress,
    });
    if (io.interactive) io.err('\n');
    for (const row of result.badRows)
      io.err(
        `  skipped row ${row.rowNumber}${row.id ? ` (id ${row.id})` : ''}${row.line ? ` at ${flags.data}:${row.line}` : ''}: ${row.reason}\n`,
      );
    const { summary } = result;
    const scored = summary.correct + summary.wrong;
    io.out(
      `${benchmark.title}: ${scored === 0 ? '–' : ((summary.correct / scored) * 100).toFixed(1)}% of ${scored} scored · ${summary.errors} error(s) · ${result.badRows.length} skipped row(s)${summary.stopped ? ' · stopped early (resume with --resume)' : ''}\n`,
    );
    let written: { markdownPath: string; htmlPath: string } | undefined;
    if (reportModules) {
      const { writeReport } = await reportModules;
      const reportPaths = await writeReport({ runDirectories: [runDirectory] });
      io.out(`report: ${reportPaths.markdownPath}\n        ${reportPaths.htmlPath}\n`);
      written = { markdownPath: reportPaths.markdownPath, htmlPath: reportPaths.htmlPath };
    }
    // A run that scored nothing did not measure anything: say so with the exit code.
    if (scored === 0 && !summary.stopped) {
      throw new DeepeyesError(
        'nothing-scored',
        `no item of ${flags.data} could be scored: ${summary.errors} of ${summary.total} item(s) ended in an error`,
        { hint: 'the errors are listed above and in the report; fix the cause and continue with --resume' },
      );
    }
    return { ...result, ...(written ? { reportPaths: written } : {}) };
  } finally {
    judge?.close?.();
    await agent.close?.();
  }
}

/** Flags that do not change results and may differ on --resume (or are secrets). */
const VOLATILE_FLAGS = new Set([
  'bench',
  'data',
  'out',
  'model',
  'replay',
  'mode',
  'judge',
  'scoring',
  'judgePromptFile',
  'mcqFallback',
  'mcqFallbackSeed',
  'optionSeed',
  'shuffle',
  'concurrency',
  'limit',
  'resume',
  'maxAttempts',
  'report',
  'format',
  'imageDir',
  'apiKey',
]);

/** The agent settings (profile, budgets, sampling, prompts, search) recorded in the run so --resume can check them. */
function agentSettings(flags: EvalFlags): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(flags).filter(([key, value]) => !VOLATILE_FLAGS.has(key) && value !== undefined),
  );
}

/**
 * The first SIGINT (Ctrl-C) or SIGTERM stops the run gracefully: no new item starts, items in flight
 * are abandoned and stay pending for --resume, the store is closed and the report written. A second
 * signal exits at once (130 / 143). A second signal within a second of the first is taken as the
 * same one: a terminal's Ctrl-C reaches both a launcher and the CLI, which may relay it again.
 */
export function gracefulStop(io: CliIO): {
  signal: AbortSignal;
  signalName: NodeJS.Signals | undefined;
  dispose(): void;
} {
  const controller = new AbortController();
  let firstAt = 0;
  const state = {
    signal: controller.signal,
    signalName: undefined as NodeJS.Signals | undefined,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
  function onSignal(name: NodeJS.Signals) {
    if (controller.signal.aborted) {
      if (Date.now() - firstAt < 1000) return;
      io.err(`\n${name} again: quitting now; finished items are saved, the rest resume with --resume\n`);
      process.exit(name === 'SIGINT' ? 130 : 143);
    }
    firstAt = Date.now();
    state.signalName = name;
    io.err(
      `\n${name}: stopping — no new items, in-flight items stay pending for --resume, writing the report (${name === 'SIGINT' ? 'Ctrl-C' : 'signal'} again to quit now)\n`,
    );
    controller.abort(new DeepeyesError('interrupted', `stopped by ${name}`));
  }
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return state;
}

/** Registers `deepeyes eval` and `deepeyes report`. */
export function registerEvalCommands(
  program: Command,
  io: CliIO = processIO(),
  dependencies: EvalDependencies = { createRunItem: agentNotWired },
): void {
  registerEvalCommand(program, io, dependencies);
  registerReportCommand(program, io);
}

/** Registers `deepeyes eval`; the agent that runs items comes in through `dependencies`. */
export function registerEvalCommand(
  program: Command,
  io: CliIO = processIO(),
  dependencies: EvalDependencies = { createRunItem: agentNotWired },
): void {
  const command = program
    .command('eval')
    .description(
      'Run a benchmark with the agent, item by item into a resumable store, then write report.md and report.html',
    )
    .requiredOption(
      '--bench <name>',
      `benchmark: ${BENCHMARKS.map((benchmark) => benchmark.name).join(', ')}`,
    )
    .requiredOption(
      '--data <path>',
      'benchmark file: VLMEvalKit .tsv, Hugging Face .parquet, or .jsonl/.json with an images/ folder',
    )
    .requiredOption('--out <dir>', 'run directory: run.sqlite, trajectories/, report.md, report.html')
    .option('--concurrency <n>', 'items in flight at once', '4')
    .option('--limit <n>', 'only the first N items')
    .option('--judge <url>', 'OpenAI-compatible judge server; without it rules decide')
    .option('--judge-model <name>', 'judge model name when the server has several')
    .option(
      '--scoring <mode>',
      "auto (VLMEvalKit's scoring for the benchmarks its fork has, deepeyes' elsewhere) | vlmevalkit | deepeyes (corrected; docs/evaluation.md)",
      'auto',
    )
    .option(
      '--judge-prompt-file <kind=file>',
      'a judge prompt template for one VLMEvalKit judge task (verify, match-option, match-yes-no, extract-answer, math-consistency); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--mcq-fallback <how>',
      "vlmevalkit multiple choice when neither the answer nor three judge replies name an option: random (the fork's way: a random letter or Z, seeded, recorded in the run) | wrong",
      'random',
    )
    .option('--mcq-fallback-seed <n>', 'seed of the random fallback (per item, order-independent)', '0')
    .option('--option-seed <n>', 'seed for multiple-choice option shuffling', '0')
    .option('--shuffle', 'shuffle multiple-choice options (default: per benchmark; on for V*)')
    .option('--no-shuffle', 'keep options in dataset order')
    .option('--resume', 'continue the run in --out (same configuration required)')
    .option('--max-attempts <n>', 'attempts per item on model/sandbox/judge failures', '3')
    .option(
      '--format <format>',
      'dataset format when the extension does not say: vlmevalkit-tsv | hf-parquet | jsonl',
    )
    .option('--image-dir <dir>', 'folder of the images a JSONL file names')
    .option('--no-report', 'skip writing report.md and report.html');
  // The agent's own flags (--model/--replay, --mode, --profile, budgets, sampling, search, sandbox).
  addAgentFlags(command);
  command.action(async (flags: Record<string, unknown>) => {
    if (dependencies.signal) return void (await evalCommand(flags, io, dependencies));
    const stop = gracefulStop(io);
    try {
      const result = await evalCommand(flags, io, { ...dependencies, signal: stop.signal });
      if (result.summary.stopped && stop.signalName)
        process.exitCode = stop.signalName === 'SIGINT' ? 130 : 143;
    } finally {
      stop.dispose();
    }
  });
}
