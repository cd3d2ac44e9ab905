import { describe, expect, it } from 'vitest';
import { extractFinalAnswer } from './extract-answer.js';

describe('extractFinalAnswer', () => {
  it("strips the answer with Python's str.strip whitespace set, not JavaScript's trim", () => {
    // Python: '\x1c4\x1c'.strip() == '4' and '\ufeff4'.strip() == '\ufeff4' (checked with /usr/bin/python3).
    expect(extractFinalAnswer('<think>t</think><answer>\u001c4\u001c</answer>')).toBe('4');
    expect(extractFinalAnswer('<think>t</think><answer>\ufeff4</answer>')).toBe('\ufeff4');
  });

  it('takes the first answer after the last </think>', () => {
    expect(extractFinalAnswer('<answer>a</answer></think> <answer> b </answer><answer>c</answer>')).toBe('b');
    expect(extractFinalAnswer('</think> no tags')).toBeNull();
  });
});
