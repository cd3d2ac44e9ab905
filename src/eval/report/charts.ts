import { TOOL_CATEGORIES, TOOL_CATEGORY_LABELS } from '../analytics/tool-category.js';
import type { LoadedRun } from './load-run.js';

/**
 * Charts as inline SVG: a vega-lite spec compiled and rendered headless with `View.toSVG()`, so the
 * HTML report needs no script or network to show them. vega is loaded on first use only.
 */
export async function renderVegaLiteSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vegaLite] = await preloadChartLibraries();
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/**
 * Starts loading vega and vega-lite (most of a report's module load time); `deepeyes eval` calls it while
 * its first items wait on the model, so the report after the last item does not wait for it.
 */
export function preloadChartLibraries(): Promise<[typeof import('vega'), typeof import('vega-lite')]> {
  return Promise.all([import('vega'), import('vega-lite')]);
}

/** The groups the accuracy chart shows: RealX capability columns, else the main category field. */
function accuracyRows(run: LoadedRun): { group: string; accuracy: number; run: string; n: number }[] {
  const analytics = run.analytics;
  const categoryTable =
    analytics.byField.find((table) => table.field === 'category') ??
    analytics.byField.find((table) => table.field !== 'capabilities') ??
    analytics.byField[0];
  const stats = [analytics.overall, ...(analytics.capabilities ?? categoryTable?.rows ?? [])];
  return stats
    .filter((row) => row.accuracy !== null)
    .map((row) => ({ group: row.key, accuracy: row.accuracy! * 100, run: run.label, n: row.scored }));
}

export async function accuracyChart(runs: LoadedRun[]): Promise<string> {
  return renderVegaLiteSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Accuracy per category (%)',
    data: { values: runs.flatMap(accuracyRows) },
    mark: { type: 'bar', tooltip: true },
    width: { step: 26 * Math.max(1, runs.length) },
    height: 220,
    encoding: {
      x: {
        field: 'group',
        type: 'nominal',
        title: null,
        sort: null,
        axis: { labelAngle: -30, labelLimit: 160 },
      },
      xOffset: { field: 'run', type: 'nominal' },
      y: { field: 'accuracy', type: 'quantitative', title: 'accuracy %', scale: { domain: [0, 100] } },
      color: { field: 'run', type: 'nominal', title: 'run' },
    },
  });
}

export async function toolMixChart(runs: LoadedRun[]): Promise<string> {
  const values = runs.flatMap((run) =>
    run.analytics.byBenchmark.flatMap((stats) =>
      TOOL_CATEGORIES.map((category) => ({
        row: `${run.label} · ${stats.key}`,
        tool: TOOL_CATEGORY_LABELS[category],
        order: TOOL_CATEGORIES.indexOf(category),
        calls: stats.toolMix[category],
      })).filter((entry) => entry.calls > 0),
    ),
  );
  return renderVegaLiteSvg({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Tool mix per benchmark (share of calls)',
    data: { values },
    mark: { type: 'bar', tooltip: true },
    width: 420,
    height: { step: 26 },
    encoding: {
      y: { field: 'row', type: 'nominal', title: null, sort: null },
      x: {
        aggregate: 'sum',
        field: 'calls',
        type: 'quantitative',
        stack: 'normalize',
        title: 'share of tool calls',
        axis: { format: '%' },
      },
      color: {
        field: 'tool',
        type: 'nominal',
        title: 'tool',
        sort: TOOL_CATEGORIES.map((category) => TOOL_CATEGORY_LABELS[category]),
        scale: { domain: TOOL_CATEGORIES.map((category) => TOOL_CATEGORY_LABELS[category]) },
      },
      order: { field: 'order', type: 'quantitative' },
    },
  });
}
