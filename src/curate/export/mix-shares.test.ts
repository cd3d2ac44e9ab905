import { describe, expect, it } from 'vitest';
import { applyMix, PAPER_RL_SHARES, PAPER_SFT_SHARES, planMix } from './mix-shares.js';

describe('planMix', () => {
  it('should size the mix by the scarcest group at the paper RL shares', () => {
    const plan = planMix({ perception: 10_000, reasoning: 4_160, search: 5_000 }, { ...PAPER_RL_SHARES });
    // reasoning binds: 4160 / 0.416 = 10000 items.
    expect(plan.take).toEqual({ perception: 5190, reasoning: 4160, search: 650 });
    expect(plan.total).toBe(10_000);
  });

  it('should report a group with a share but no items and renormalise the others', () => {
    const plan = planMix({ perception: 81, reasoning: 96 }, { ...PAPER_SFT_SHARES });
    expect(plan.missing).toEqual(['long-cot', 'search']);
    // perception binds: 81 / (0.081 / 0.177) = 177.
    expect(plan.take).toEqual({ perception: 81, reasoning: 96 });
  });

  it('should take nothing of a group without a share and say so', () => {
    const plan = planMix({ perception: 5, other: 7 }, { perception: 1 });
    expect(plan.take).toEqual({ perception: 5, other: 0 });
    expect(plan.unwanted).toEqual(['other']);
  });

  it('should keep everything without shares, and cap the total when asked', () => {
    expect(planMix({ a: 3, b: 1 }, null).take).toEqual({ a: 3, b: 1 });
    expect(planMix({ a: 30, b: 10 }, { a: 0.5, b: 0.5 }, { maxTotal: 8 }).take).toEqual({ a: 4, b: 4 });
  });
});

describe('applyMix', () => {
  it('should take the first items of each group in input order', () => {
    const plan = planMix({ a: 3, b: 2 }, { a: 0.5, b: 0.5 });
    const { taken, surplus } = applyMix(['a1', 'b1', 'a2', 'a3', 'b2'], (item) => item[0]!, plan);
    expect(taken).toEqual(['a1', 'b1', 'a2', 'b2']);
    expect(surplus).toEqual(['a3']);
  });
});
