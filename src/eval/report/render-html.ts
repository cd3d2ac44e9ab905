import { dirname, join } from 'node:path';
import { accuracyChart, toolMixChart } from './charts.js';
import { escapeHtml } from './format.js';
import { REPORT_CSS, REPORT_SCRIPT } from './html-assets.js';
import type { LoadedRun } from './load-run.js';
import { readTrajectoryForReport } from './read-trajectory.js';
import { type ImageSource, itemStatusLabel, renderItem } from './render-item.js';
import { buildReportTables } from './report-tables.js';

export type HtmlReportOptions = {
  generatedAt: string;
  /** Maps an image file (absolute path) to a thumbnail `src` and the link to the full-resolution file. */
  imageSource: (absolutePath: string) => Promise<{ src: string; href?: string }>;
};

/**
 * report.html: one self-contained page (inline CSS, inline SVG charts, a small inline filter
 * script) with the tables, the charts and every item's trajectory, filterable by
 * correct/wrong/error, category and run.
 */
export async function renderHtmlReport(runs: LoadedRun[], options: HtmlReportOptions): Promise<string> {
  const tables = buildReportTables(runs)
    .map(
      (table) =>
        `<h2>${escapeHtml(table.title)}</h2><table><thead><tr>${table.header.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('')}</tr></thead><tbody>${table.rows
          .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`,
    )
    .join('\n');
  const [accuracy, toolMix] = await Promise.all([accuracyChart(runs), toolMixChart(runs)]);

  const itemsHtml: string[] = [];
  const statusCounts = { correct: 0, wrong: 0, error: 0, pending: 0 };
  for (const [runIndex, run] of runs.entries()) {
    for (const item of run.items) {
      statusCounts[itemStatusLabel(item)]++;
      const trajectoryPath = item.trajectoryPath ? join(run.directory, item.trajectoryPath) : undefined;
      const trajectory = trajectoryPath ? await readTrajectoryForReport(trajectoryPath) : undefined;
      const source: ImageSource = (relativePath) =>
        options.imageSource(join(dirname(trajectoryPath ?? run.directory), relativePath));
      itemsHtml.push(await renderItem(item, runIndex, run.label, trajectory, source));
    }
  }
  const categories = [...new Set(runs.flatMap((run) => run.items.map((item) => item.category)))].sort();
  const statusBoxes = (['correct', 'wrong', 'error', 'pending'] as const)
    .map(
      (status) =>
        `<label><input type="checkbox" data-status="${status}" checked> ${status} (${statusCounts[status]})</label>`,
    )
    .join('');
  const filters = `<div class="filters">${statusBoxes}<select id="category-filter"><option value="">all categories</option>${categories
    .map((category) => `<option value="${escapeHtml(category)}">${escapeHtml(category)}</option>`)
    .join(
      '',
    )}</select><select id="run-filter"${runs.length < 2 ? ' hidden' : ''}><option value="">all runs</option>${runs
    .map((run, index) => `<option value="${index}">${escapeHtml(run.label)}</option>`)
    .join('')}</select><span id="shown-count" class="note"></span></div>`;

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>deepeyes report · ${escapeHtml(runs.map((run) => run.label).join(' vs '))}</title>
<style>${REPORT_CSS}</style></head>
<body>
<h1>deepeyes evaluation report</h1>
<p class="note">Generated ${escapeHtml(options.generatedAt)}. Accuracy is over scored items; errors (model, sandbox or judge failures after retries) are listed apart and never counted as wrong.</p>
<section class="charts"><figure class="chart" id="chart-accuracy">${accuracy}</figure><figure class="chart" id="chart-tool-mix">${toolMix}</figure></section>
${tables}
<h2>Items</h2>
${filters}
<section id="items">${itemsHtml.join('\n')}</section>
<script>${REPORT_SCRIPT}</script>
</body></html>
`;
}
