import { describe, expect, it } from 'vitest';
import { applyStopSequences } from './apply-stop-sequences.js';

describe('applyStopSequences', () => {
  it('cuts before the first stop string and names it', () => {
    expect(
      applyStopSequences('<code>x</code> then <tool_call>y</tool_call>', ['</tool_call>', '</code>']),
    ).toEqual({
      text: '<code>x',
      stopSequence: '</code>',
    });
  });

  it('lets the stop string that completes first win', () => {
    expect(applyStopSequences('abcd', ['bcd', 'bc'])).toEqual({ text: 'a', stopSequence: 'bc' });
  });

  it('leaves text without a stop string, or with no stops given, alone', () => {
    expect(applyStopSequences('<answer>1</answer>', ['</code>'])).toEqual({ text: '<answer>1</answer>' });
    expect(applyStopSequences('</code>', undefined)).toEqual({ text: '</code>' });
    expect(applyStopSequences('abc', [''])).toEqual({ text: 'abc' });
  });
});
