import { describe, expect, it } from 'vitest';
import { checkFormat, type FormatOptions } from './format-check.js';

const perception: FormatOptions = {
  checkToolCallTags: false,
  answerLengthLimit: 300,
  ignoreLeadingWhitespace: true,
};
const search: FormatOptions = { ...perception, checkToolCallTags: true };

describe('checkFormat', () => {
  it('accepts a well-formed response and extracts its answer', () => {
    expect(checkFormat('<think>x</think>\n<answer> STOP </answer>', perception)).toMatchObject({
      ok: true,
      issues: [],
      answer: 'STOP',
      thinkPrepended: false,
    });
  });

  it.each([
    ['think-unbalanced', '<think>a</think><think>b<answer>X</answer>'],
    ['think-missing', '<answer>X</answer>'],
    ['code-unbalanced', '<think>a</think><code>print(1)<answer>X</answer>'],
    ['answer-unbalanced', '<think>a</think><answer>X</answer></answer>'],
    ['answer-missing', '<think>a <answer>X</answer></think>'],
    ['answer-empty', '<think>a</think><answer>  </answer>'],
    ['answer-too-long', `<think>a</think><answer>${'é'.repeat(300)}</answer>`],
  ])('fails with %s', (issue, text) => {
    const check = checkFormat(text, perception);
    expect(check.ok).toBe(false);
    expect(check.issues).toContain(issue);
  });

  it('prefixes <think> when the first turn continues a pre-filled one', () => {
    expect(checkFormat('a</think><answer>X</answer>', perception)).toMatchObject({
      ok: true,
      thinkPrepended: true,
    });
  });

  it('counts the 300-character cap in code points, not UTF-16 units', () => {
    const emoji = `<think>a</think><answer>${'🗼'.repeat(299)}</answer>`;
    expect(checkFormat(emoji, perception).ok).toBe(true);
  });

  it('checks <tool_call> balance only when asked (search data)', () => {
    const text = '<think>a</think><tool_call>\n<answer>X</answer>';
    expect(checkFormat(text, perception).ok).toBe(true);
    expect(checkFormat(text, search).issues).toEqual(['tool-call-unbalanced']);
  });

  it('has no length cap when none is given (reason data)', () => {
    const text = `<think>a</think><answer>${'1'.repeat(400)}</answer>`;
    expect(checkFormat(text, { checkToolCallTags: false, ignoreLeadingWhitespace: true }).ok).toBe(true);
  });

  it('ignores leading whitespace only when asked (upstream bug 25)', () => {
    const text = '\n<think>a</think><answer>X</answer>';
    expect(checkFormat(text, perception).ok).toBe(true);
    expect(checkFormat(text, { ...perception, ignoreLeadingWhitespace: false }).issues).toEqual([
      'think-unbalanced',
    ]);
  });
});
