import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hallusionMetrics, mmeMetrics, popeMetrics, type YesNoMetricItem } from './yes-no-metrics.js';

/** Per-item tables and what the fork's POPE_rating / MME_rating / Hallusion_rating returned for them. */
type AggregateCase = {
  benchmark: 'pope' | 'mme' | 'hallusionbench';
  seed: number;
  items: Array<{
    index: number | string;
    answer: string;
    extracted: string;
    category?: string;
    'l2-category'?: string;
    image_path?: string;
  }>;
  rows?: Array<Record<string, string | number | null>>;
  scores?: Record<string, number>;
};

const cases = readFileSync(
  join(import.meta.dirname, '../../../test/fixtures/vlmevalkit-scoring/aggregates.jsonl'),
  'utf8',
)
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as AggregateCase);

/** The items as a run stores them; the fork's `evaluate` scores `answer == extracted`. */
function metricItems(entry: AggregateCase): YesNoMetricItem[] {
  return entry.items.map((item) => ({
    id: String(item.index),
    reference: item.answer,
    predicted: item.extracted,
    correct: item.answer === item.extracted,
    ...(item.category === undefined ? {} : { category: item.category }),
    ...(item['l2-category'] === undefined ? {} : { l2Category: item['l2-category'] }),
    ...(item.image_path === undefined ? {} : { imagePath: item.image_path }),
  }));
}

const bySplit = <T extends { split: string }>(rows: T[]) =>
  [...rows].sort((left, right) => left.split.localeCompare(right.split));

describe('yes/no aggregate metrics equal the fork’s rating functions, bit for bit', () => {
  it('has cases for every benchmark', () => {
    expect(new Set(cases.map((entry) => entry.benchmark))).toEqual(
      new Set(['pope', 'mme', 'hallusionbench']),
    );
  });

  for (const entry of cases) {
    it(`${entry.benchmark} (seed ${entry.seed}, ${entry.items.length} items)`, () => {
      const items = metricItems(entry);
      if (entry.benchmark === 'pope') {
        const ours = bySplit(popeMetrics(items)).map((row) => ({
          split: row.split,
          Overall: row.f1,
          acc: row.accuracy,
          precision: row.precision,
          recall: row.recall,
        }));
        expect(ours).toEqual(bySplit(entry.rows as Array<{ split: string }>));
      } else if (entry.benchmark === 'mme') {
        const metrics = mmeMetrics(items);
        expect(metrics.missing).toEqual([]);
        expect(metrics.categories.every((category) => category.unpaired === 0)).toBe(true);
        const ours: Record<string, number> = { perception: metrics.perception, reasoning: metrics.cognition };
        for (const category of metrics.categories) ours[category.category] = category.score;
        expect(ours).toEqual(entry.scores);
      } else {
        const ours = bySplit(hallusionMetrics(items)).map(({ split, aAcc, fAcc, qAcc }) => ({
          split,
          aAcc,
          fAcc,
          qAcc,
        }));
        expect(ours).toEqual(bySplit(entry.rows as Array<{ split: string }>));
      }
    });
  }
});

describe('where the fork crashes, the metrics say what is missing', () => {
  const item = (id: string, correct: boolean, extra: Partial<YesNoMetricItem> = {}): YesNoMetricItem => ({
    id,
    reference: 'Yes',
    predicted: correct ? 'Yes' : 'No',
    correct,
    ...extra,
  });

  it('MME: an image with one question counts for acc only; absent categories are listed', () => {
    const metrics = mmeMetrics([
      item('1', true, { category: 'OCR', imagePath: 'a.jpg' }),
      item('2', true, { category: 'OCR', imagePath: 'a.jpg' }),
      item('3', false, { category: 'OCR', imagePath: 'b.jpg' }),
    ]);
    const ocr = metrics.categories[0]!;
    expect(ocr.accuracy).toBe((2 / 3) * 100);
    expect(ocr.accuracyPlus).toBe(100);
    expect(ocr.unpaired).toBe(1);
    expect(metrics.perception).toBe(ocr.score);
    expect(metrics.missing).toHaveLength(13);
  });

  it('HallusionBench: indexes without set/figure/question ids give aAcc only', () => {
    const [overall] = hallusionMetrics([item('12', true), item('13', false)]);
    expect(overall).toEqual({ split: 'Overall', n: 2, aAcc: 50, fAcc: null, qAcc: null });
  });
});
