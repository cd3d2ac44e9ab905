import { describe, expect, it } from 'vitest';
import { detectToolUse } from './tool-use.js';

const code = (body: string) => `<think>look</think>\n<code>\n\`\`\`python\n${body}\n\`\`\`\n</code>`;

describe('detectToolUse', () => {
  it('should count the turns the environment would run, as parseTurn decides them', () => {
    const turns = [
      code('print(1)'),
      '<tool_call>{"name": "search", "arguments": {"query": "eiffel tower"}}</tool_call>',
      '<tool_call>{"name": "image_search"}</tool_call>',
      '<answer>42</answer>',
    ];
    expect(detectToolUse(turns)).toEqual({ codeCalls: 1, toolCalls: 2 });
  });

  it('should not count a turn whose non-empty answer wins over its code', () => {
    expect(detectToolUse([`${code('print(1)')}<answer>7</answer>`])).toEqual({ codeCalls: 0, toolCalls: 0 });
  });

  it('should count a python fence followed by Python whitespace (\\r\\n) like the environment does', () => {
    const turn = '<code>\r\n```python\r\nx = 1\r\nprint(x)\r\n```\r\n</code>';
    expect(detectToolUse([turn])).toEqual({ codeCalls: 1, toolCalls: 0 });
  });

  it('should not count blank code, a cut block or an empty search query (answered with an error, nothing runs)', () => {
    const turns = [
      code('   '),
      code("print('</code>')"),
      '<tool_call>{"name": "search", "arguments": {"query": ""}}</tool_call>',
      '<tool_call>{"name": "image_search", "arguments": {"x": 1}}</tool_call>',
      '<tool_call>{"name": "search", "arguments": {"query": "a"}</tool_call>',
    ];
    expect(detectToolUse(turns)).toEqual({ codeCalls: 0, toolCalls: 0 });
  });
});
