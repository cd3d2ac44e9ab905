import type { StoredItem } from '../runner/run-store.js';
import {
  type HallusionRow,
  hallusionMetrics,
  type MmeMetrics,
  mmeMetrics,
  type PopeRow,
  popeMetrics,
  type YesNoMetricItem,
} from './yes-no-metrics.js';

/** The benchmark-specific numbers a paper table quotes, beside plain accuracy. */
export type BenchmarkMetrics =
  | { benchmark: 'pope'; rows: PopeRow[] }
  | { benchmark: 'mme'; metrics: MmeMetrics }
  | { benchmark: 'hallusionbench'; rows: HallusionRow[] };

function text(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
}

/**
 * A stored item as the yes/no ratings read it. The prediction is what the scorer extracted (Yes, No or
 * Unknown); when a judge ruled an unreadable answer correct (deepeyes mode) it is the reference.
 */
export function yesNoMetricItem(item: StoredItem): YesNoMetricItem {
  const score = item.score ?? {};
  const inputs = (score.inputs ?? {}) as { meta?: Record<string, unknown> };
  const extracted = text(score.extracted) ?? 'Unknown';
  const category = item.groups.category;
  const l2Category = item.groups['l2-category'];
  const imagePath = text(inputs.meta?.image_path);
  return {
    id: item.id,
    reference: item.reference,
    predicted: item.correct === true ? item.reference : extracted,
    correct: item.correct === true,
    ...(category === undefined ? {} : { category }),
    ...(l2Category === undefined ? {} : { l2Category }),
    ...(imagePath === undefined ? {} : { imagePath }),
  };
}

/**
 * POPE, MME and HallusionBench metrics of a run's scored items (errors and pending items left out, as
 * everywhere in reports), one entry per such benchmark present.
 */
export function benchmarkMetrics(items: readonly StoredItem[]): BenchmarkMetrics[] {
  const scored = (benchmark: string) =>
    items.filter((item) => item.benchmark === benchmark && item.status === 'done').map(yesNoMetricItem);
  const out: BenchmarkMetrics[] = [];
  const pope = scored('pope');
  if (pope.length > 0) out.push({ benchmark: 'pope', rows: popeMetrics(pope) });
  const mme = scored('mme');
  if (mme.length > 0) out.push({ benchmark: 'mme', metrics: mmeMetrics(mme) });
  const hallusion = scored('hallusionbench');
  if (hallusion.length > 0) out.push({ benchmark: 'hallusionbench', rows: hallusionMetrics(hallusion) });
  return out;
}
