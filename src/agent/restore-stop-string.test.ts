import { describe, expect, it } from 'vitest';
import { restoreStopString } from './restore-stop-string.js';

describe('restoreStopString', () => {
  it('puts back the stop string the server reported', () => {
    expect(
      restoreStopString({
        text: '<code>\n```python\nx\n```\n',
        finishReason: 'stop',
        stopSequence: '</code>',
      }),
    ).toBe('<code>\n```python\nx\n```\n</code>');
  });

  it('infers the missing close tag when the server does not say which stop fired', () => {
    expect(restoreStopString({ text: '<tool_call>\n{"name": "image_search"}\n', finishReason: 'stop' })).toBe(
      '<tool_call>\n{"name": "image_search"}\n</tool_call>',
    );
  });

  it('leaves complete turns and length-cut turns alone', () => {
    expect(restoreStopString({ text: '<answer>4</answer>', finishReason: 'stop' })).toBe(
      '<answer>4</answer>',
    );
    expect(restoreStopString({ text: '<code>\n```python\nx', finishReason: 'length' })).toBe(
      '<code>\n```python\nx',
    );
    expect(restoreStopString({ text: 'a</code>', finishReason: 'stop', stopSequence: '</code>' })).toBe(
      'a</code>',
    );
  });

  it('ignores stop strings that are not tool boundaries', () => {
    expect(restoreStopString({ text: 'done', finishReason: 'stop', stopSequence: '<|im_end|>' })).toBe(
      'done',
    );
  });
});
