import { markdownCell } from './format.js';
import type { LoadedRun } from './load-run.js';
import { buildReportTables } from './report-tables.js';

/** report.md: the same tables as the HTML report, for terminals, PRs and papers' appendices. */
export function renderMarkdownReport(runs: LoadedRun[], generatedAt: string): string {
  const lines = [
    `# deepeyes evaluation report`,
    '',
    `Generated ${generatedAt} from ${runs.map((run) => `\`${run.directory}\``).join(', ')}.`,
    '',
  ];
  lines.push(
    'Accuracy is over scored items; items whose model, sandbox or judge failed after retries are errors, listed apart and not counted as wrong. Tool use % is the share of scored items with at least one tool call.',
    '',
  );
  for (const table of buildReportTables(runs)) {
    lines.push(`## ${table.title}`, '');
    lines.push(`| ${table.header.map(markdownCell).join(' | ')} |`);
    lines.push(`|${table.header.map((_, index) => (index === 0 ? ' --- ' : ' ---: ')).join('|')}|`);
    for (const row of table.rows) lines.push(`| ${row.map(markdownCell).join(' | ')} |`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}
