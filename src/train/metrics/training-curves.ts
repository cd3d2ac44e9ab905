import { TOOL_CATEGORIES, TOOL_CATEGORY_LABELS } from '../../eval/analytics/tool-category.js';
import type { StoredPoint } from './metric-store.js';

/**
 * The paper's Fig. 8 panels from stored metrics: which trainer key feeds which curve. The first key
 * present wins (the DeepEyesV2 fork logs `agent/tool_call_mean`, upstream verl `tool_call_counts/mean`,
 * rollout dumps give `rollout/tool_calls/mean` with its std).
 */
export type CurvePanel = {
  name: string;
  title: string;
  yTitle: string;
  /** Rows for vega-lite: step, value, series, and optional lower/upper for a band. */
  rows: { step: number; value: number; series: string; lower?: number; upper?: number }[];
  kind: 'line' | 'band' | 'share';
};

const pick = (byKey: Map<string, Map<number, number>>, candidates: (string | RegExp)[]) => {
  for (const candidate of candidates) {
    if (typeof candidate === 'string') {
      if (byKey.has(candidate)) return { key: candidate, values: byKey.get(candidate)! };
    } else {
      const key = [...byKey.keys()].sort().find((name) => candidate.test(name));
      if (key) return { key, values: byKey.get(key)! };
    }
  }
  return undefined;
};

const series = (name: string, values: Map<number, number>) =>
  [...values]
    .filter(([, value]) => Number.isFinite(value))
    .map(([step, value]) => ({ step, value, series: name }));

export function buildCurvePanels(points: StoredPoint[]): CurvePanel[] {
  // Later sources win for the same key and step (a followed log replaces a stale file).
  const byKey = new Map<string, Map<number, number>>();
  for (const point of points) {
    const values = byKey.get(point.key) ?? new Map<number, number>();
    values.set(point.step, point.value);
    byKey.set(point.key, values);
  }
  const panels: CurvePanel[] = [];
  const reward = pick(byKey, ['critic/score/mean', 'critic/rewards/mean', 'rollout/score']);
  const accuracy = pick(byKey, [
    'rollout/acc',
    /^val-core\/.*\/acc\/mean@\d+$/,
    /^val-core\/.*\/reward\/mean@\d+$/,
  ]);
  const checkpointAccuracy = [...byKey.keys()].filter((key) => /^eval\/[^/]+\/accuracy$/.test(key)).sort();
  if (reward || accuracy || checkpointAccuracy.length > 0)
    panels.push({
      name: 'reward-accuracy',
      title: 'Reward and accuracy',
      yTitle: 'value',
      kind: 'line',
      rows: [
        ...(reward ? series(`reward (${reward.key})`, reward.values) : []),
        ...(accuracy ? series(`accuracy (${accuracy.key})`, accuracy.values) : []),
        ...checkpointAccuracy.flatMap((key) =>
          series(`checkpoint ${key.split('/')[1]} accuracy`, byKey.get(key)!),
        ),
      ],
    });
  const length = pick(byKey, ['response_length/mean']);
  if (length)
    panels.push({
      name: 'response-length',
      title: 'Response length',
      yTitle: 'tokens',
      kind: 'line',
      rows: series('mean', length.values),
    });
  const calls = pick(byKey, ['rollout/tool_calls/mean', 'agent/tool_call_mean', 'tool_call_counts/mean']);
  if (calls) {
    const std = calls.key === 'rollout/tool_calls/mean' ? byKey.get('rollout/tool_calls/std') : undefined;
    panels.push({
      name: 'tool-calls',
      title: `Tool calls per rollout${std ? ' (mean ± std)' : ' (mean)'}`,
      yTitle: 'calls',
      kind: 'band',
      rows: series('mean', calls.values).map((row) => {
        const spread = std?.get(row.step);
        return spread === undefined
          ? row
          : { ...row, lower: Math.max(0, row.value - spread), upper: row.value + spread };
      }),
    });
  }
  const format = pick(byKey, ['rollout/format', /^val-core\/.*\/format\/mean@\d+$/]);
  if (format)
    panels.push({
      name: 'format',
      title: 'Format score',
      yTitle: 'score',
      kind: 'line',
      rows: series(format.key, format.values),
    });
  const shares = TOOL_CATEGORIES.filter((category) => byKey.has(`rollout/tool_share/${category}`));
  if (shares.length > 0)
    panels.push({
      name: 'tool-shares',
      title: 'Tool-category shares',
      yTitle: 'share of calls',
      kind: 'share',
      rows: shares.flatMap((category) =>
        series(TOOL_CATEGORY_LABELS[category], byKey.get(`rollout/tool_share/${category}`)!),
      ),
    });
  const loss = pick(byKey, ['loss', 'actor/pg_loss']);
  if (loss)
    panels.push({
      name: 'loss',
      title: `Loss (${loss.key})`,
      yTitle: 'loss',
      kind: 'line',
      rows: series(loss.key, loss.values),
    });
  return panels.filter((panel) => panel.rows.length > 0);
}

/** A vega-lite spec for one panel. */
export function panelSpec(panel: CurvePanel): Record<string, unknown> {
  const base = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: panel.title,
    width: 420,
    height: 220,
    data: { values: panel.rows },
  };
  const x = { field: 'step', type: 'quantitative', title: 'step' };
  if (panel.kind === 'share')
    return {
      ...base,
      mark: { type: 'area' },
      encoding: {
        x,
        y: {
          field: 'value',
          type: 'quantitative',
          stack: 'normalize',
          title: panel.yTitle,
          axis: { format: '%' },
        },
        color: { field: 'series', type: 'nominal', title: 'tool' },
      },
    };
  const line = {
    mark: { type: 'line', point: panel.rows.length < 60 },
    encoding: {
      x,
      y: { field: 'value', type: 'quantitative', title: panel.yTitle },
      color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', labelLimit: 360 } },
    },
  };
  if (panel.kind === 'band' && panel.rows.some((row) => row.lower !== undefined))
    return {
      ...base,
      layer: [
        {
          mark: { type: 'area', opacity: 0.25 },
          encoding: {
            x,
            y: { field: 'lower', type: 'quantitative', title: panel.yTitle },
            y2: { field: 'upper' },
          },
        },
        line,
      ],
    };
  return { ...base, ...line };
}
