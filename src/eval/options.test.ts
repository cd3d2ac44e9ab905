import { describe, expect, it } from 'vitest';
import type { DatasetRow } from './datasets/dataset-row.js';
import { letterOptions, shuffleOptions } from './options.js';
import { findBenchmark } from './registry/benchmarks.js';
import { buildItems } from './registry/build-items.js';

const options = letterOptions(['red', 'blue', 'green', 'orange']);

describe('option shuffling', () => {
  it('is deterministic for a seed and item, and keeps the correct text behind the new letter', () => {
    const first = shuffleOptions(options, 'A', 7, 'item-1');
    expect(shuffleOptions(options, 'A', 7, 'item-1')).toEqual(first);
    expect(first.options.find((option) => option.letter === first.answerLetter)!.text).toBe('red');
    expect(first.options.map((option) => option.letter)).toEqual(['A', 'B', 'C', 'D']);
  });

  it('spreads an always-A answer key over all letters (the V* layout)', () => {
    const letters = new Map<string, number>();
    for (let index = 0; index < 400; index++) {
      const { answerLetter } = shuffleOptions(options, 'A', 1, `item-${index}`);
      letters.set(answerLetter, (letters.get(answerLetter) ?? 0) + 1);
    }
    expect([...letters.keys()].sort()).toEqual(['A', 'B', 'C', 'D']);
    for (const count of letters.values()) expect(count).toBeGreaterThan(60);
  });

  it('changes order with the seed', () => {
    const orders = new Set(
      [1, 2, 3, 4, 5, 6].map((seed) =>
        shuffleOptions(options, 'A', seed, 'x')
          .options.map((o) => o.text)
          .join(),
      ),
    );
    expect(orders.size).toBeGreaterThan(1);
  });

  it('shuffles V* by default but not HRBench, and reads answers given as option text', () => {
    const row = (index: number): DatasetRow => ({
      rowNumber: index,
      fields: {
        index: String(index),
        question: 'Colour?',
        A: 'red',
        B: 'blue',
        answer: index % 2 ? 'A' : 'red',
      },
      images: [],
    });
    const rows = Array.from({ length: 40 }, (_, index) => row(index));
    const vstar = buildItems(findBenchmark('vstar'), rows, { seed: 3 }).items;
    const hrbench = buildItems(findBenchmark('hrbench-4k'), rows, { seed: 3 }).items;
    expect(new Set(vstar.map((item) => item.answer))).toEqual(new Set(['A', 'B']));
    expect(new Set(hrbench.map((item) => item.answer))).toEqual(new Set(['A']));
    for (const item of vstar) expect(item.options!.find((o) => o.letter === item.answer)!.text).toBe('red');
    const unshuffled = buildItems(findBenchmark('vstar'), rows, { seed: 3, shuffleOptions: false }).items;
    expect(new Set(unshuffled.map((item) => item.answer))).toEqual(new Set(['A']));
  });

  it('reports an answer that is not among the options', () => {
    const { badRows } = buildItems(
      findBenchmark('hrbench-4k'),
      [{ rowNumber: 0, fields: { index: '9', question: 'q', A: 'x', B: 'y', answer: 'E' }, images: [] }],
      { seed: 0 },
    );
    expect(badRows).toEqual([
      { rowNumber: 0, id: '9', reason: 'answer "E" is neither an option letter nor an option text' },
    ]);
  });
});
