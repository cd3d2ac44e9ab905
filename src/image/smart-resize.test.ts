import { describe, expect, it } from 'vitest';
import { minEdgeSize, rlObservationSize } from './size-rules.js';
import { pythonRound, SFT_MAX_PIXELS, smartResize } from './smart-resize.js';

describe('smartResize (Qwen2.5-VL, upstream eval bounds)', () => {
  it.each([
    // [width, height] → [width, height], from observations.jsonl (eval sizes)
    [
      [640, 480],
      [644, 476],
    ],
    [
      [60, 40],
      [84, 56],
    ],
    [
      [5000, 4000],
      [4004, 3192],
    ],
    [
      [120, 90],
      [112, 84],
    ],
    [
      [300, 100],
      [308, 112],
    ],
    [
      [10, 10],
      [56, 56],
    ],
    [
      [5, 3000],
      [28, 2996],
    ],
    [
      [3000, 2],
      [2996, 28],
    ],
    [
      [30, 40],
      [56, 84],
    ],
  ])('%j → %j', (input, output) => {
    expect(smartResize({ width: input[0]!, height: input[1]! })).toEqual({
      width: output[0],
      height: output[1],
    });
  });

  it('rounds halves to even, as Python does', () => {
    expect(pythonRound(2.5)).toBe(2);
    expect(pythonRound(3.5)).toBe(4);
    expect(pythonRound(-0.5)).toBe(0);
    // 70 / 28 = 2.5 → 2 → 56, where Math.round would give 84.
    expect(smartResize({ width: 70, height: 2800 })).toEqual({ width: 56, height: 2800 });
  });

  it('keeps the SFT budget and multiples of 28', () => {
    const size = smartResize({ width: 1920, height: 1080 }, { maxPixels: SFT_MAX_PIXELS });
    expect(size.width * size.height).toBeLessThanOrEqual(SFT_MAX_PIXELS);
    expect([size.width % 28, size.height % 28]).toEqual([0, 0]);
  });
});

describe('rlObservationSize (RL maybe_resize_image)', () => {
  it.each([
    [
      [5, 3000],
      [32, 1200],
    ],
    [
      [3000, 2],
      [480, 32],
    ],
    [
      [10, 10],
      [32, 32],
    ],
    [
      [30, 40],
      [32, 43],
    ],
    [
      [5000, 4000],
      [5000, 4000],
    ],
    [
      [40, 40],
      [40, 40],
    ],
  ])('%j → %j', (input, output) => {
    expect(rlObservationSize({ width: input[0]!, height: input[1]! })).toEqual({
      width: output[0],
      height: output[1],
    });
  });
});

describe('minEdgeSize (VLMEvalKit 100-px minimum edge)', () => {
  it('enlarges a short side under 100 px, truncating like int()', () => {
    expect(minEdgeSize({ width: 84, height: 56 })).toEqual({ width: 150, height: 100 });
    expect(minEdgeSize({ width: 644, height: 476 })).toEqual({ width: 644, height: 476 });
  });
});
