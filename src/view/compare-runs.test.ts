import { describe, expect, it } from 'vitest';
import { bootstrapInterval, compareRuns, mcnemarExactP } from './compare-runs.js';

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
