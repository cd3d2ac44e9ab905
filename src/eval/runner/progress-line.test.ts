import { describe, expect, it } from 'vitest';
import { progressLine } from './progress-line.js';
import { emptyProgress } from './run-progress.js';

describe('progress line', () => {
  it('shows done, accuracy without errors, tool calls, errors and ETA', () => {
    const line = progressLine(
      {
        total: 40,
        finished: 10,
        correct: 6,
        wrong: 3,
        errors: 1,
        toolCalls: 18,
        itemsWithTools: 8,
        finishedThisSession: 5,
        elapsedMs: 10_000,
      },
      10,
    );
    expect(line).toBe('[###-------] 10/40 · acc 66.7% · tools 1.8/item · errors 1 · ETA 1m00s');
  });

  it('has no accuracy or ETA before the first item', () => {
    expect(progressLine(emptyProgress(3), 4)).toBe('[----] 0/3 · acc – · tools –/item · errors 0 · ETA –');
  });
});
