import { mkdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { collectMetrics } from '../../train/metrics/collect-metrics.js';
import { MetricStore } from '../../train/metrics/metric-store.js';
import { parseTrainingLog } from '../../train/metrics/parse-training-log.js';
import { writeCurvesReport } from '../../train/metrics/write-curves-report.js';
import type { CliIO } from '../io.js';
import { clientFromFlags } from './train-jobs.js';
import { addRayFlags } from './train-launch-flags.js';

export const metricsFlagsSchema = z.looseObject({
  out: z.string().optional(),
  db: z.string().optional(),
  run: z.string().optional(),
  job: z.string().optional(),
  follow: z.boolean().default(false),
  png: z.boolean().default(true),
});

/** `deepeyes train metrics`: logs (or a followed Ray job) → metrics.sqlite → curves/*.svg|png + training-report.html. */
export async function trainMetricsCommand(path: string | undefined, rawFlags: unknown, io: CliIO) {
  const flags = metricsFlagsSchema.parse(rawFlags);
  if (!path && !flags.job)
    throw new UserError('metrics-no-input', 'nothing to read', {
      hint: 'give a log file or run directory, or --ray URL --job ID',
    });
  const isDir = path ? statSync(resolve(path), { throwIfNoEntry: false })?.isDirectory() : false;
  const outDir = resolve(flags.out ?? (path ? (isDir ? path : join(path, '..')) : '.'));
  const run = flags.run ?? (path ? basename(resolve(isDir ? path : join(path, '..'))) : flags.job!);
  mkdirSync(outDir, { recursive: true });
  const store = new MetricStore(flags.db ?? join(outDir, 'metrics.sqlite'));
  try {
    if (path)
      for (const source of collectMetrics(resolve(path))) {
        store.replaceSource(run, source.source, source.points, source.notes);
        io.err(
          `  ${source.source}: ${source.format}, ${source.points.length} value(s)${source.notes.length ? `, ${source.notes.length} note(s)` : ''}\n`,
        );
      }
    if (flags.job) {
      const client = clientFromFlags(rawFlags);
      const source = `ray:${flags.job}`;
      const ingest = (text: string) => {
        const parsed = parseTrainingLog(text);
        store.replaceSource(run, source, parsed.points, parsed.notes);
        return parsed;
      };
      if (flags.follow) {
        let text = '';
        let lastWrite = 0;
        const final = await client.followLogs(flags.job, (chunk) => {
          text += chunk;
          // The store is re-written at most every 2 s while following, so a viewer sees progress.
          if (Date.now() - lastWrite > 2000) {
            lastWrite = Date.now();
            ingest(text);
          }
        });
        io.err(`job ${flags.job}: ${final.status}\n`);
        ingest(text);
      } else {
        const parsed = ingest(await client.logs(flags.job));
        io.err(`  ${source}: ${parsed.points.length} value(s)\n`);
      }
    }
    for (const note of store.notes(run).slice(0, 20)) io.err(`  note: ${note.source}: ${note.note}\n`);
    const report = await writeCurvesReport(store, { run, outDir, png: flags.png });
    io.out(
      `${report.panels.length} curve(s): ${report.panels.join(', ') || 'none'}\nreport: ${report.htmlPath}\n`,
    );
    return report;
  } finally {
    store.close();
  }
}

export function registerTrainMetricsCommand(group: Command, io: CliIO): void {
  addRayFlags(
    group
      .command('metrics')
      .description(
        "Read verl / LLaMA-Factory logs into metrics.sqlite and draw the paper's curves (reward, accuracy, response length, tool calls, format, tool shares, loss)",
      )
      .argument(
        '[log-or-dir]',
        'a log (verl console or JSONL, trainer_log.jsonl, trainer_state.json) or a run directory',
      )
      .option(
        '--out <dir>',
        'where metrics.sqlite, curves/ and training-report.html go (default: beside the log)',
      )
      .option('--db <file>', 'the SQLite metric store (default OUT/metrics.sqlite)')
      .option('--run <name>', 'run name in the store (default: the directory name)')
      .option('--job <id>', 'read the driver log of this Ray job (with --ray)')
      .option('--follow', 'with --job: follow the log until the job ends, updating the store')
      .option('--no-png', 'SVG only'),
  ).action(
    async (path: string | undefined, flags: Record<string, unknown>) =>
      void (await trainMetricsCommand(path, flags, io)),
  );
}
