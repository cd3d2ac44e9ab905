import type { Command } from 'commander';
import { z } from 'zod';
import { summarizeRun } from '../../eval/analytics/summarize-run.js';
import type { LoadedRun } from '../../eval/report/load-run.js';
import { writeReport } from '../../eval/report/write-report.js';
import { describeRescore, rescoreItems } from '../../eval/scoring/rescore-run.js';
import { DEFAULT_MCQ_FALLBACK } from '../../eval/scoring/vlmevalkit/mcq-fallback.js';
import { type CliIO, processIO } from '../io.js';
import { defaultCreateJudge } from './eval.js';

export const reportFlagsSchema = z.object({
  directories: z.array(z.string()).min(1, 'give at least one run directory'),
  out: z.string().optional(),
  images: z.enum(['inline', 'link']).default('inline'),
  /** Re-score every run from its store in this mode before reporting. */
  scoring: z.enum(['auto', 'vlmevalkit', 'deepeyes']).optional(),
  judge: z.string().url().optional(),
  judgeModel: z.string().optional(),
  judgePromptFile: z.array(z.string()).default([]),
});

/** `deepeyes report DIR [DIR…]`: one report comparing runs side by side (e.g. after SFT vs after RL). */
export async function reportCommand(
  rawFlags: unknown,
  io: CliIO,
): Promise<{ markdownPath: string; htmlPath: string }> {
  const flags = reportFlagsSchema.parse(rawFlags);
  const mode = flags.scoring;
  const judges = flags.judge
    ? await defaultCreateJudge(flags.judge, flags, flags.out ?? flags.directories[0]!)
    : undefined;
  const rescore = async (run: LoadedRun): Promise<LoadedRun> => {
    if (!mode) return run;
    // The fallback (and its seed) the run recorded, so re-scoring draws the letters the run drew.
    const mcqFallback = run.config.scoring?.mcqFallback ?? DEFAULT_MCQ_FALLBACK;
    const { items, summary } = await rescoreItems(run.items, mode, {
      mcqFallback,
      ...(judges ? { judge: judges.judge, taskJudge: judges.taskJudge } : {}),
    });
    io.out(`${describeRescore(run.label, summary)}\n`);
    return {
      ...run,
      label: `${run.label} (re-scored ${mode})`,
      config: {
        ...run.config,
        scoring: { mode: mode === 'auto' ? 'vlmevalkit' : mode, judge: judges?.name ?? null, mcqFallback },
      },
      items,
      analytics: summarizeRun(items),
    };
  };
  let written: Awaited<ReturnType<typeof writeReport>>;
  try {
    written = await writeReport({
      runDirectories: flags.directories,
      ...(flags.out ? { outDirectory: flags.out } : {}),
      images: flags.images,
      transformRun: rescore,
    });
  } finally {
    judges?.close?.();
  }
  const { markdownPath, htmlPath, runs } = written;
  for (const run of runs) {
    const overall = run.analytics.overall;
    io.out(
      `${run.label}: ${overall.accuracy === null ? '–' : (overall.accuracy * 100).toFixed(1)}% of ${overall.scored} scored · tool use ${overall.toolUseRate === null ? '–' : (overall.toolUseRate * 100).toFixed(1)}% · ${overall.errors} error(s)\n`,
    );
  }
  io.out(`report: ${markdownPath}\n        ${htmlPath}\n`);
  return { markdownPath, htmlPath };
}

export function registerReportCommand(program: Command, io: CliIO = processIO()): void {
  program
    .command('report')
    .description('Write report.md and report.html for one or more evaluation runs, compared side by side')
    .argument('<dirs...>', 'run directories (the --out of deepeyes eval)')
    .option('--out <dir>', 'where to write the report (default: the first run directory)')
    .option(
      '--images <how>',
      'inline (thumbnails inline, linking to full files in report-images/) | link (relative paths to the run files)',
      'inline',
    )
    .option(
      '--scoring <mode>',
      're-score every run from its store first: vlmevalkit | deepeyes | auto; prints how far the modes differ',
    )
    .option('--judge <url>', 'OpenAI-compatible judge server for re-scoring; without it rules decide')
    .option('--judge-model <name>', 'judge model name when the server has several')
    .option(
      '--judge-prompt-file <kind=file>',
      'a VLMEvalKit judge task template for re-scoring (see deepeyes eval --help); repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (directories: string[], flags: Record<string, unknown>) => {
      await reportCommand({ ...flags, directories }, io);
    });
}
