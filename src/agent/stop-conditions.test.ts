import { describe, expect, it } from 'vitest';
import { firstStop, maxCompletionTokens, maxElapsed, maxModelCalls } from './stop-conditions.js';

describe('stop conditions', () => {
  const conditions = [maxElapsed(1000), maxModelCalls(9), maxCompletionTokens(100)];

  it('lets a run go on while every budget has room', () => {
    expect(firstStop(conditions, { modelCalls: 8, completionTokens: 99, elapsedMs: 999 })).toBeUndefined();
  });

  it('names the budget that ran out, the first in the list winning', () => {
    expect(firstStop(conditions, { modelCalls: 9, completionTokens: 0, elapsedMs: 0 })).toBe('max-turns');
    expect(firstStop(conditions, { modelCalls: 0, completionTokens: 100, elapsedMs: 0 })).toBe('max-tokens');
    expect(firstStop(conditions, { modelCalls: 9, completionTokens: 100, elapsedMs: 1000 })).toBe(
      'time-limit',
    );
  });
});
