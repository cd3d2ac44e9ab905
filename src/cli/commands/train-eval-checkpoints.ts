import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { DeepeyesError, UserError } from '../../errors.js';
import { findBenchmark } from '../../eval/registry/benchmarks.js';
import { type CheckpointTarget, evalCheckpoints } from '../../train/checkpoints/eval-checkpoints.js';
import { findCheckpoints } from '../../train/checkpoints/find-checkpoints.js';
import { checkServeTemplate } from '../../train/checkpoints/serve-checkpoint.js';
import { MetricStore } from '../../train/metrics/metric-store.js';
import { writeCurvesReport } from '../../train/metrics/write-curves-report.js';
import type { CliIO } from '../io.js';
import { type EvalDependencies, evalCommand } from './eval.js';
import { addAgentFlags } from './run-options.js';

const positive = z.coerce.number().positive();

export const evalCheckpointsFlagsSchema = z.looseObject({
  run: z.string().min(1, 'give the training run directory with --run'),
  bench: z.string().min(1, 'name the benchmark with --bench (e.g. vstar, realx, mathvista)'),
  data: z.string().min(1, 'give the benchmark file with --data'),
  serveCmd: z.string().optional(),
  urls: z.string().optional(),
  steps: z.string().optional(),
  serveTimeout: positive.default(900),
  out: z.string().optional(),
  db: z.string().optional(),
  runName: z.string().optional(),
  png: z.boolean().default(true),
  model: z.string().optional(),
  replay: z.string().optional(),
});

/** `--urls 100=http://a:8000/v1,200=http://b:8000/v1` → targets. */
export function parseStepUrls(text: string): CheckpointTarget[] {
  return text
    .split(',')
    .map((pair) => pair.trim())
    .filter(Boolean)
    .map((pair) => {
      const match = /^(\d+)=(https?:\/\/\S+)$/.exec(pair);
      if (!match)
        throw new UserError('checkpoints-bad-urls', `--urls ${pair}: expected STEP=URL`, {
          hint: 'e.g. --urls 100=http://gpu1:8000/v1,200=http://gpu2:8000/v1',
        });
      return { step: Number(match[1]), url: match[2]! };
    });
}

/**
 * `deepeyes train eval-checkpoints`: each saved checkpoint of a run (or each given URL) through the
 * eval harness, accuracy per step into the run's metric store, and the curves report redrawn.
 */
export async function trainEvalCheckpointsCommand(
  rawFlags: unknown,
  io: CliIO,
  dependencies: EvalDependencies,
) {
  const flags = evalCheckpointsFlagsSchema.parse(rawFlags);
  if (flags.model || flags.replay)
    throw new UserError(
      'checkpoints-model-flag',
      `--${flags.model ? 'model' : 'replay'} is set per checkpoint here`,
      {
        hint: 'serve the checkpoints with --serve-cmd, or name running servers with --urls STEP=URL,…',
      },
    );
  if (Boolean(flags.serveCmd) === Boolean(flags.urls))
    throw new UserError(
      'checkpoints-serve-choice',
      'give exactly one of --serve-cmd TEMPLATE or --urls STEP=URL,…',
      {
        hint: "e.g. --serve-cmd 'vllm serve {path} --port {port}'",
      },
    );
  if (flags.serveCmd) checkServeTemplate(flags.serveCmd);
  const benchmark = findBenchmark(flags.bench);
  const runDir = resolve(flags.run);
  const wanted = flags.steps ? new Set(flags.steps.split(',').map((step) => Number(step.trim()))) : undefined;
  let targets: CheckpointTarget[];
  if (flags.urls) targets = parseStepUrls(flags.urls);
  else {
    const found = findCheckpoints(runDir);
    for (const note of found.notes) io.err(`  note: ${note}\n`);
    targets = found.checkpoints.map(({ step, path }) => ({ step, path }));
    io.err(`found ${found.checkpoints.length} checkpoint(s) under ${runDir}\n`);
  }
  if (wanted) targets = targets.filter((target) => wanted.has(target.step));
  if (targets.length === 0)
    throw new UserError('checkpoints-none', `no checkpoint to evaluate under ${runDir}`, {
      hint: 'verl saves global_step_N/actor/huggingface (checkpoint.save_contents with hf_model), LLaMA-Factory output_dir/checkpoint-N; or use --urls',
    });
  const evalRoot = resolve(flags.out ?? join(runDir, 'checkpoint-eval'));
  const run = flags.runName ?? basename(runDir);
  // With --urls the run directory only holds the store and the report; it may be new.
  mkdirSync(runDir, { recursive: true });
  const store = new MetricStore(flags.db ?? join(runDir, 'metrics.sqlite'));
  try {
    const result = await evalCheckpoints({
      run,
      store,
      bench: benchmark.name,
      targets,
      ...(flags.serveCmd
        ? {
            serve: {
              template: flags.serveCmd,
              readyTimeoutMs: flags.serveTimeout * 1000,
              logDir: join(evalRoot, 'serve-logs'),
            },
          }
        : {}),
      outDirFor: (step) => join(evalRoot, benchmark.name, `step-${step}`),
      evaluate: async ({ url, outDir }) => {
        const { serveCmd, urls, steps, serveTimeout, db, runName, png, run: _run, ...evalFlags } = flags;
        const evaluated = await evalCommand(
          { ...evalFlags, bench: benchmark.name, model: url, out: outDir, resume: true },
          io,
          dependencies,
        );
        const { summary } = evaluated;
        return { correct: summary.correct, scored: summary.correct + summary.wrong, errors: summary.errors };
      },
      log: io,
      ...(dependencies.signal ? { signal: dependencies.signal } : {}),
    });
    const report = await writeCurvesReport(store, { run, outDir: runDir, png: flags.png });
    for (const row of result.evaluated)
      io.out(`step ${row.step}\t${(row.accuracy * 100).toFixed(1)}%\t(${row.scored} scored)\n`);
    io.out(`report: ${report.htmlPath}\n`);
    if (result.failed.length > 0)
      throw new DeepeyesError(
        'checkpoints-failed',
        `${result.failed.length} checkpoint(s) failed: steps ${result.failed.map((row) => row.step).join(', ')}`,
        {
          hint: 'see the messages above; run the same command again to retry them (evaluated steps are skipped)',
        },
      );
    return result;
  } finally {
    store.close();
  }
}

export function registerTrainEvalCheckpointsCommand(
  group: Command,
  io: CliIO,
  dependencies: EvalDependencies,
): void {
  const command = group
    .command('eval-checkpoints')
    .description(
      'Evaluate each saved checkpoint of a run with the eval harness (served by your command, or already served) and plot accuracy vs step beside the training curves',
    )
    .requiredOption(
      '--run <dir>',
      "the training run: verl's global_step_N/actor/huggingface, LLaMA-Factory's checkpoint-N",
    )
    .requiredOption('--bench <name>', 'benchmark (as deepeyes eval --bench)')
    .requiredOption('--data <file>', 'benchmark file (as deepeyes eval --data)')
    .option(
      '--serve-cmd <template>',
      "command serving one checkpoint; {path}, {port} (and {step}) are filled in, e.g. 'vllm serve {path} --port {port}'",
    )
    .option(
      '--urls <step=url,…>',
      'checkpoints already served: 100=http://gpu1:8000/v1,200=http://gpu2:8000/v1',
    )
    .option('--steps <n,…>', 'only these steps')
    .option('--serve-timeout <seconds>', 'limit on the wait for the server’s /v1/models', '900')
    .option('--out <dir>', 'eval runs, one per step (default RUN/checkpoint-eval/<bench>/step-N)')
    .option('--db <file>', 'the metric store (default RUN/metrics.sqlite, as train metrics)')
    .option('--run-name <name>', 'run name in the store (default: the run directory name)')
    .option('--concurrency <n>', 'items in flight per checkpoint', '4')
    .option('--limit <n>', 'only the first N items')
    .option('--judge <url>', 'OpenAI-compatible judge server for answers the rules cannot decide')
    .option('--judge-model <name>', 'judge model name')
    .option('--scoring <mode>', 'auto|vlmevalkit|deepeyes (as deepeyes eval)', 'auto')
    .option('--no-png', 'SVG curves only');
  addAgentFlags(command);
  command.action(async (flags: Record<string, unknown>) => {
    await trainEvalCheckpointsCommand(flags, io, dependencies);
  });
}
