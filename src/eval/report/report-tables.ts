import { type BenchmarkMetrics, benchmarkMetrics } from '../analytics/benchmark-metrics.js';
import type { GroupStats } from '../analytics/summarize-run.js';
import { TOOL_CATEGORIES, TOOL_CATEGORY_LABELS } from '../analytics/tool-category.js';
import { decimal, percent } from './format.js';
import type { LoadedRun } from './load-run.js';

/** A table as plain cells, rendered by both the Markdown and the HTML report. */
export type ReportTable = { title: string; header: string[]; rows: string[][] };

const lookup = (rows: GroupStats[] | undefined, key: string) => rows?.find((row) => row.key === key);

/** Accuracy (and tool-use rate) per group, one column pair per run: the before/after comparison. */
function comparison(
  title: string,
  runs: LoadedRun[],
  rowsOf: (run: LoadedRun) => GroupStats[] | undefined,
): ReportTable | undefined {
  const keys = [...new Set(runs.flatMap((run) => (rowsOf(run) ?? []).map((row) => row.key)))];
  if (keys.length === 0) return undefined;
  const header = [
    'group',
    ...runs.flatMap((run) => [`${run.label} acc %`, `${run.label} n`, `${run.label} tool use %`]),
  ];
  const rows = keys.map((key) => [
    key,
    ...runs.flatMap((run) => {
      const stats = lookup(rowsOf(run), key);
      return [percent(stats?.accuracy), String(stats?.scored ?? 0), percent(stats?.toolUseRate)];
    }),
  ]);
  return { title, header, rows };
}

export function buildReportTables(runs: LoadedRun[]): ReportTable[] {
  const tables: ReportTable[] = [];
  tables.push({
    title: 'Runs',
    header: [
      'run',
      'benchmark',
      'model',
      'mode',
      'items',
      'scored',
      'errors',
      'pending',
      'bad rows',
      'accuracy %',
      'tool use %',
      'calls/item',
      'judge',
      'scoring',
    ],
    rows: runs.map((run) => {
      const overall = run.analytics.overall;
      return [
        run.label,
        run.config.benchmark,
        run.config.models.join(', '),
        run.config.mode,
        String(overall.items),
        String(overall.scored),
        String(overall.errors),
        String(overall.pending),
        String(run.badRows.length),
        percent(overall.accuracy),
        percent(overall.toolUseRate),
        decimal(overall.toolCallsPerItem),
        run.config.judge ?? 'none (rules)',
        run.config.scoring
          ? `${run.config.scoring.mode}${run.config.scoring.judge ? ` · ${run.config.scoring.judge}` : ''}`
          : 'legacy (before scoring modes)',
      ];
    }),
  });
  const capabilities = comparison('RealX-Bench capabilities', runs, (run) =>
    run.analytics.capabilities ? [run.analytics.overall, ...run.analytics.capabilities] : undefined,
  );
  if (capabilities) tables.push(capabilities);
  const benchmarks = comparison('Per benchmark', runs, (run) => run.analytics.byBenchmark);
  if (benchmarks && benchmarks.rows.length > 1) tables.push(benchmarks);
  const fields = [...new Set(runs.flatMap((run) => run.analytics.byField.map((table) => table.field)))];
  for (const field of fields) {
    const table = comparison(
      `Per ${field}`,
      runs,
      (run) => run.analytics.byField.find((entry) => entry.field === field)?.rows,
    );
    if (table) tables.push(table);
  }
  for (const run of runs) {
    for (const metrics of benchmarkMetrics(run.items)) tables.push(metricsTable(run.label, metrics));
  }
  tables.push({
    title: 'Tool mix (share of tool calls, %)',
    header: [
      'run',
      'benchmark',
      'calls',
      ...TOOL_CATEGORIES.map((category) => TOOL_CATEGORY_LABELS[category]),
    ],
    rows: runs.flatMap((run) =>
      run.analytics.byBenchmark.map((stats) => {
        const total = TOOL_CATEGORIES.reduce((sum, category) => sum + stats.toolMix[category], 0);
        return [
          run.label,
          stats.key,
          String(total),
          ...TOOL_CATEGORIES.map((category) => percent(total === 0 ? null : stats.toolMix[category] / total)),
        ];
      }),
    ),
  });
  const errorRows = runs.flatMap((run) =>
    Object.entries(run.analytics.errorsByKind).map(([kind, count]) => [run.label, kind, String(count)]),
  );
  if (errorRows.length > 0)
    tables.push({
      title: 'Errors (not counted as wrong)',
      header: ['run', 'kind', 'items'],
      rows: errorRows,
    });
  const verifierRows = runs.flatMap((run) =>
    Object.entries(run.analytics.verifiers).map(([name, count]) => [run.label, name, String(count)]),
  );
  if (verifierRows.length > 0)
    tables.push({ title: 'Who decided', header: ['run', 'verifier', 'items'], rows: verifierRows });
  const badRows = runs.flatMap((run) =>
    run.badRows.map((row) => [run.label, String(row.rowNumber), row.id ?? '', row.reason]),
  );
  if (badRows.length > 0)
    tables.push({ title: 'Skipped rows', header: ['run', 'row', 'id', 'reason'], rows: badRows });
  return tables;
}

/** Values already in percent (the fork's scale), shown with two decimals; NaN/null as a dash. */
const points = (value: number | null) => (value === null || Number.isNaN(value) ? '–' : value.toFixed(2));

/** POPE, MME and HallusionBench as VLMEvalKit reports them (yorn.py's rating functions). */
function metricsTable(label: string, metrics: BenchmarkMetrics): ReportTable {
  if (metrics.benchmark === 'pope') {
    return {
      title: `${label} · POPE (VLMEvalKit's POPE_rating; F1, precision and recall of "Yes")`,
      header: ['split', 'n', 'F1', 'acc %', 'precision %', 'recall %'],
      rows: metrics.rows.map((row) => [
        row.split,
        String(row.n),
        points(row.f1),
        points(row.accuracy),
        points(row.precision),
        points(row.recall),
      ]),
    };
  }
  if (metrics.benchmark === 'hallusionbench') {
    return {
      title: `${label} · HallusionBench (VLMEvalKit's Hallusion_rating)`,
      header: ['split', 'n', 'aAcc', 'fAcc', 'qAcc'],
      rows: metrics.rows.map((row) => [
        row.split,
        String(row.n),
        points(row.aAcc),
        points(row.fAcc),
        points(row.qAcc),
      ]),
    };
  }
  const { perception, cognition, categories, missing } = metrics.metrics;
  const note = missing.length > 0 ? `; missing: ${missing.join(', ')}` : '';
  return {
    title: `${label} · MME (VLMEvalKit's MME_rating: acc + acc+ per category${note})`,
    header: ['category', 'images', 'acc %', 'acc+ %', 'score'],
    rows: [
      ...categories.map((entry) => [
        entry.category,
        `${entry.images}${entry.unpaired > 0 ? ` (${entry.unpaired} unpaired)` : ''}`,
        points(entry.accuracy),
        points(entry.accuracyPlus),
        points(entry.score),
      ]),
      ['perception (sum of 10)', '', '', '', points(perception)],
      ['cognition (sum of 4)', '', '', '', points(cognition)],
    ],
  };
}
