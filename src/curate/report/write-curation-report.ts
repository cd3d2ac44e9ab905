import { join } from 'node:path';
import { renderVegaLiteSvg } from '../../eval/report/charts.js';
import { escapeHtml, markdownCell } from '../../eval/report/format.js';
import { REPORT_CSS } from '../../eval/report/html-assets.js';
import { writeAtomic } from '../export/write-export-files.js';
import type { CurationStore } from '../store/curation-store.js';
import { type CurationSummary, type Histogram, summarizeCuration } from './curation-summary.js';

type Table = { title: string; header: string[]; rows: string[][] };

const pct = (value: number) => (Number.isNaN(value) ? '–' : `${(value * 100).toFixed(1)} %`);

/** The report's tables, shared by the Markdown and HTML renderings. Pure. */
export function curationTables(summary: CurationSummary): Table[] {
  const tables: Table[] = [
    {
      title: 'Funnel (items per stage)',
      header: ['stage', 'kept', 'dropped'],
      rows: [
        ...(summary.badRows ? [['ingest: broken rows', '', String(summary.badRows)]] : []),
        ...summary.funnel.map((row) => [row.stage, String(row.kept), String(row.dropped)]),
      ],
    },
    {
      title: 'Drops per reason',
      header: ['stage', 'reason', 'items'],
      rows: summary.drops.map((row) => [row.stage, row.reason, String(row.count)]),
    },
  ];
  for (const [title, histogram] of [
    ['Correct rollouts without tools (difficulty)', summary.passRates.noTools],
    ['Correct rollouts with tools (tool benefit)', summary.passRates.withTools],
  ] as const)
    if (histogram)
      tables.push({
        title,
        header: ['correct of k', 'items'],
        rows: histogram.counts.map((count, passes) => [`${passes}/${histogram.k}`, String(count)]),
      });
  if (summary.pools.rl + summary.pools.coldStart)
    tables.push({
      title: 'Pools after tool benefit',
      header: ['pool', 'items'],
      rows: [
        ['RL (solved with tools)', String(summary.pools.rl)],
        ['cold start (never solved)', String(summary.pools.coldStart)],
      ],
    });
  if (summary.teachers.length)
    tables.push({
      title: 'Teacher acceptance',
      header: ['teacher', 'attempts', 'accepted', 'rate', 'rejections'],
      rows: summary.teachers.map((row) => [
        row.teacher,
        String(row.attempts),
        String(row.accepted),
        pct(row.attempts ? row.accepted / row.attempts : 0),
        Object.entries(row.reasons)
          .sort((left, right) => right[1] - left[1])
          .map(([reason, count]) => `${reason} ${count}`)
          .join(', ') || '–',
      ]),
    });
  if (Object.keys(summary.toolMix).length)
    tables.push({
      title: 'Tool mix of accepted trajectories',
      header: ['tool', 'calls'],
      rows: Object.entries(summary.toolMix).map(([tool, count]) => [tool, String(count)]),
    });
  if (summary.mixes.length)
    tables.push({
      title: 'Final mixes against their targets',
      header: ['export', 'group', 'target', 'share', 'items'],
      rows: summary.mixes.map((row) => [
        row.export,
        row.group,
        pct(row.target),
        pct(row.share),
        String(row.taken),
      ]),
    });
  return tables;
}

export function renderCurationMarkdown(summary: CurationSummary, generatedAt: string): string {
  const lines = ['# Curation report', '', `Generated ${generatedAt} by \`deepeyes curate report\`.`, ''];
  for (const table of curationTables(summary)) {
    lines.push(
      `## ${table.title}`,
      '',
      `| ${table.header.join(' | ')} |`,
      `|${table.header.map(() => ' --- |').join('')}`,
    );
    for (const row of table.rows) lines.push(`| ${row.map(markdownCell).join(' | ')} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

function histogramValues(histogram: Histogram | null, tools: string) {
  return (histogram?.counts ?? []).map((count, passes) => ({
    passes: `${passes}/${histogram!.k}`,
    count,
    tools,
  }));
}

async function charts(summary: CurationSummary): Promise<string[]> {
  const specs: Record<string, unknown>[] = [];
  if (summary.funnel.length)
    specs.push({
      title: 'Funnel: items kept and dropped per stage',
      data: {
        values: summary.funnel.flatMap((row) => [
          { stage: row.stage, status: 'kept', items: row.kept },
          { stage: row.stage, status: 'dropped', items: row.dropped },
        ]),
      },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        y: { field: 'stage', type: 'nominal', sort: null, title: null },
        x: { field: 'items', type: 'quantitative', stack: true },
        color: {
          field: 'status',
          type: 'nominal',
          scale: { domain: ['kept', 'dropped'], range: ['#1b7f3b', '#b3261e'] },
        },
      },
    });
  const passValues = [
    ...histogramValues(summary.passRates.noTools, 'without tools'),
    ...histogramValues(summary.passRates.withTools, 'with tools'),
  ];
  if (passValues.length)
    specs.push({
      title: 'Pass-rate histograms (items per correct rollouts of k)',
      data: { values: passValues },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'passes', type: 'ordinal', sort: null, title: 'correct of k' },
        xOffset: { field: 'tools', type: 'nominal' },
        y: { field: 'count', type: 'quantitative', title: 'items' },
        color: { field: 'tools', type: 'nominal', title: null },
      },
    });
  if (summary.teachers.length)
    specs.push({
      title: 'Teacher acceptance (%)',
      data: {
        values: summary.teachers.map((row) => ({
          teacher: row.teacher,
          rate: row.attempts ? (100 * row.accepted) / row.attempts : 0,
        })),
      },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'teacher', type: 'nominal', title: null },
        y: { field: 'rate', type: 'quantitative', scale: { domain: [0, 100] }, title: 'accepted %' },
      },
    });
  if (Object.keys(summary.toolMix).length)
    specs.push({
      title: 'Tool mix of accepted trajectories',
      data: { values: Object.entries(summary.toolMix).map(([tool, calls]) => ({ tool, calls })) },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'tool', type: 'nominal', title: null },
        y: { field: 'calls', type: 'quantitative' },
      },
    });
  if (summary.mixes.length)
    specs.push({
      title: 'Final mixes against targets (%)',
      data: {
        values: summary.mixes.flatMap((row) => [
          {
            group: `${row.export.replace('-export', '')} · ${row.group}`,
            kind: 'target',
            percent: Number.isNaN(row.target) ? 0 : 100 * row.target,
          },
          {
            group: `${row.export.replace('-export', '')} · ${row.group}`,
            kind: 'exported',
            percent: 100 * row.share,
          },
        ]),
      },
      mark: { type: 'bar', tooltip: true },
      encoding: {
        x: { field: 'group', type: 'nominal', sort: null, title: null, axis: { labelAngle: -30 } },
        xOffset: { field: 'kind', type: 'nominal' },
        y: { field: 'percent', type: 'quantitative', scale: { domain: [0, 100] } },
        color: { field: 'kind', type: 'nominal', title: null },
      },
    });
  return Promise.all(
    specs.map((spec) => renderVegaLiteSvg({ $schema: SCHEMA, width: 360, height: 200, ...spec })),
  );
}

export async function renderCurationHtml(summary: CurationSummary, generatedAt: string): Promise<string> {
  const svgs = await charts(summary);
  const tables = curationTables(summary)
    .map(
      (table) =>
        `<h2>${escapeHtml(table.title)}</h2>\n<table><thead><tr>${table.header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${table.rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Curation report</title><style>${REPORT_CSS}</style></head>
<body><h1>Curation report</h1><p class="note">Generated ${escapeHtml(generatedAt)} by <code>deepeyes curate report</code>.</p>
<div class="charts">${svgs.map((svg) => `<figure class="chart">${svg}</figure>`).join('\n')}</div>
${tables}
</body></html>
`;
}

/** Writes OUT/report.md and OUT/report.html from the store. */
export async function writeCurationReport(
  store: CurationStore,
  directory: string,
): Promise<{ markdown: string; html: string; summary: CurationSummary }> {
  const summary = summarizeCuration(store);
  const generatedAt = new Date().toISOString();
  const markdown = join(directory, 'report.md');
  const html = join(directory, 'report.html');
  writeAtomic(markdown, renderCurationMarkdown(summary, generatedAt));
  writeAtomic(html, await renderCurationHtml(summary, generatedAt));
  return { markdown, html, summary };
}
