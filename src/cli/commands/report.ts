import type { Command } from 'commander';
import { z } from 'zod';
import { writeReport } from '../../eval/report/write-report.js';
import { type CliIO, processIO } from '../io.js';

export const reportFlagsSchema = z.object({
  directories: z.array(z.string()).min(1, 'give at least one run directory'),
  out: z.string().optional(),
  images: z.enum(['inline', 'link']).default('inline'),
});

/** `deepeyes report DIR [DIR…]`: one report comparing runs side by side (e.g. after SFT vs after RL). */
export async function reportCommand(
  rawFlags: unknown,
  io: CliIO,
): Promise<{ markdownPath: string; htmlPath: string }> {
  const flags = reportFlagsSchema.parse(rawFlags);
  const { markdownPath, htmlPath, runs } = await writeReport({
    runDirectories: flags.directories,
    ...(flags.out ? { outDirectory: flags.out } : {}),
    images: flags.images,
  });
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
    .option('--images <how>', 'inline (data URIs, one shareable file) | link (relative paths)', 'inline')
    .action(async (directories: string[], flags: Record<string, unknown>) => {
      await reportCommand({ ...flags, directories }, io);
    });
}
