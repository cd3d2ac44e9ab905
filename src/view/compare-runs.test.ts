import { describe, expect, it } from 'vitest';
import { bootstrapInterval, compareMany, compareRuns, flipsInOrder, mcnemarExactP } from './compare-runs.js';

describe('mcnemarExactP', () => {
  // scipy.stats.binomtest(b, b + c, 0.5).pvalue under /usr/bin/python3 (scipy 1.10).
  it.each([
    [3, 10, 0.09228515625],
    [0, 5, 0.0625],
    [12, 12, 1.0],
    [40, 25, 0.08168153394154003],
    [1, 0, 1.0],
  ])('b=%i c=%i gives scipy binomtest p', (b, c, expected) => {
    expect(mcnemarExactP(b, c)).toBeCloseTo(expected, 12);
  });
  it('is 1 without discordant pairs', () => expect(mcnemarExactP(0, 0)).toBe(1));
});

describe('bootstrapInterval', () => {
  it('brackets the observed difference and is reproducible', () => {
    const differences = [...Array(60).fill(1), ...Array(20).fill(-1), ...Array(120).fill(0)];
    const first = bootstrapInterval(differences)!;
    expect(first.low).toBeLessThan(0.2);
    expect(first.high).toBeGreaterThan(0.2);
    // Normal-approximation half width 1.96·sd/√n ≈ 0.074 for this sample.
    expect(first.high - first.low).toBeGreaterThan(0.1);
    expect(first.high - first.low).toBeLessThan(0.2);
    expect(bootstrapInterval(differences)).toEqual(first);
  });
  it('collapses to a point when every pair agrees', () => {
    expect(bootstrapInterval([0, 0, 0])).toMatchObject({ low: 0, high: 0 });
  });
});

describe('compareRuns', () => {
  it('pairs by id, lists flips both ways and per-category deltas, skipping errors', () => {
    const base = [
      { id: 'a', verdict: 'right', category: 'x' },
      { id: 'b', verdict: 'wrong', category: 'x' },
      { id: 'c', verdict: 'right', category: 'y' },
      { id: 'd', verdict: 'error', category: 'y' },
    ];
    const other = [
      { id: 'a', verdict: 'wrong', category: 'x' },
      { id: 'b', verdict: 'right', category: 'x' },
      { id: 'c', verdict: 'right', category: 'y' },
      { id: 'd', verdict: 'right', category: 'y' },
    ];
    const result = compareRuns(base, other);
    expect(result.paired).toBe(3);
    expect(result.flips).toEqual([
      { id: 'a', category: 'x', direction: 'right→wrong' },
      { id: 'b', category: 'x', direction: 'wrong→right' },
    ]);
    expect(result.byCategory).toEqual([
      { category: 'x', paired: 2, baseline: 0.5, candidate: 0.5, delta: 0 },
      { category: 'y', paired: 1, baseline: 1, candidate: 1, delta: 0 },
    ]);
    expect(result.mcnemarP).toBe(1);
  });
});

describe('compareMany', () => {
  const row = (id: string, verdict: string, category = 'x') => ({ id, verdict, category });
  const baseline = {
    id: 'base',
    rows: [
      row('a', 'right'),
      row('b', 'wrong'),
      row('c', 'right', 'y'),
      row('d', 'wrong', 'y'),
      row('e', 'error', 'y'),
    ],
  };
  const first = {
    id: 'one',
    rows: [
      row('a', 'wrong'),
      row('b', 'right'),
      row('c', 'right', 'y'),
      row('d', 'right', 'y'),
      row('e', 'right', 'y'),
    ],
  };
  const second = { id: 'two', rows: [row('a', 'right'), row('b', 'wrong'), row('c', 'wrong', 'y')] };
  const result = compareMany(baseline, [first, second]);

  it('tests every run against the baseline on its own pairing', () => {
    expect(result.baselineAccuracy).toBe(0.5);
    expect(result.runs.map((run) => [run.id, run.comparison.paired])).toEqual([
      ['one', 4],
      ['two', 3],
    ]);
    expect(result.runs[0]!.comparison).toMatchObject({ rightToWrong: 1, wrongToRight: 2, mcnemarP: 1 });
    expect(result.runs[1]!.comparison).toMatchObject({ rightToWrong: 1, wrongToRight: 0, mcnemarP: 1 });
    expect(result.runs[0]!.comparison).toEqual({
      ...compareRuns(baseline.rows, first.rows),
      flips: flipsInOrder(compareRuns(baseline.rows, first.rows).flips),
    });
  });

  it('lists right→wrong flips before wrong→right ones in each run', () => {
    expect(result.runs[0]!.comparison.flips.map((flip) => [flip.id, flip.direction])).toEqual([
      ['a', 'right→wrong'],
      ['b', 'wrong→right'],
      ['d', 'wrong→right'],
    ]);
  });

  it('gives per-category deltas of each run against the baseline', () => {
    expect(result.categories).toEqual([
      {
        category: 'x',
        baseline: 0.5,
        runs: [
          { id: 'one', paired: 2, candidate: 0.5, delta: 0 },
          { id: 'two', paired: 2, candidate: 0.5, delta: 0 },
        ],
      },
      {
        category: 'y',
        baseline: 0.5,
        runs: [
          { id: 'one', paired: 2, candidate: 1, delta: 0.5 },
          { id: 'two', paired: 1, candidate: 0, delta: -1 },
        ],
      },
    ]);
  });

  it("lists items flipped in any run first, with every run's verdict", () => {
    expect(result.items.map((item) => [item.id, item.flippedIn, item.verdicts])).toEqual([
      ['a', 1, ['right', 'wrong', 'right']],
      ['b', 1, ['wrong', 'right', 'wrong']],
      ['c', 1, ['right', 'right', 'wrong']],
      ['d', 1, ['wrong', 'right', undefined]],
      ['e', 0, ['error', 'right', undefined]],
    ]);
  });
});
