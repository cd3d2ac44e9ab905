import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { normalizeMathAnswer } from './math-normalize.js';

const CASE = z.object({ kind: z.literal('normalize_final_answer'), input: z.string(), output: z.string() });
const cases = readFileSync(new URL('../../../test/fixtures/golden/judge.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.includes('"normalize_final_answer"'))
  .map((line) => CASE.parse(JSON.parse(line)));

describe('normalizeMathAnswer', () => {
  it('has all 20 golden cases', () => {
    expect(cases).toHaveLength(20);
  });

  it.each(cases)('normalises $input as upstream does', ({ input, output }) => {
    expect(normalizeMathAnswer(input)).toBe(output);
  });

  // Recorded from upstream's normalize_final_answer under CPython 3.11 (Python's `.`, isdigit, strip).
  it.each([
    ['$x\r1$', 'x\r1'],
    ['\\text{a\rb}', 'a\rb'],
    ['\u2460,\u2461', '\u2460\u2461'],
    ['1,234\u001c', '1,234'],
    ['\\frac1\r', '\\frac{1}{\r}'],
    ['\\boxed{4\r2}', '4\r2'],
    ['\ufeff12', '\ufeff12'],
  ])('follows Python string semantics on %j', (input, output) => {
    expect(normalizeMathAnswer(input)).toBe(output);
  });

  it('reduces only the $…$ pair on each line', () => {
    expect(normalizeMathAnswer('so $x$ is\nand $7$ too')).toBe('x\n7');
  });
});
