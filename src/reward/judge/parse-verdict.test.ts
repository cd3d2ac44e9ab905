import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  parseMathVerdict,
  parseMathVerdictUpstream,
  parseSemanticVerdict,
  parseSemanticVerdictUpstream,
} from './parse-verdict.js';

const lines = readFileSync(new URL('../../../test/fixtures/golden/judge.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as { kind: string });

const perception = lines
  .filter((line) => line.kind === 'perception_judge_parse')
  .map((line) => z.object({ reply: z.string(), parsed_f_response: z.string(), acc: z.number() }).parse(line));
const math = lines
  .filter((line) => line.kind === 'math_judge_parse')
  .map((line) =>
    z.object({ reply: z.string(), generative_verify_returns: z.boolean().nullable() }).parse(line),
  );

describe('Yes/No verdicts, upstream-rl reading', () => {
  it('covers all 15 golden replies', () => expect(perception).toHaveLength(15));

  it.each(perception)('reads $reply as upstream did', ({ reply, parsed_f_response, acc }) => {
    const result = parseSemanticVerdictUpstream(reply);
    expect(result.parsed).toBe(parsed_f_response);
    expect(result.verdict).toBe(acc === 1 ? 'correct' : 'incorrect');
  });
});

describe('Yes/No verdicts, deepeyesv2 strict reading', () => {
  // Where strict reading differs from upstream, the comment names the upstream bug (golden README).
  const expected: Record<string, 'correct' | 'incorrect' | 'unknown'> = {
    '<think>一致</think>\n<最终结果>\n\\boxed{Yes}\n<\\最终结果>': 'correct',
    '<think>不一致</think>\n<最终结果>\n\\boxed{No}\n<\\最终结果>': 'incorrect',
    '\\boxed{Yes}': 'correct',
    '\\boxed{yes}': 'correct', // bug 28: case-sensitive 'Yes' in → 0 upstream
    '\\boxed{YES}': 'correct', // bug 28
    Yes: 'correct',
    No: 'incorrect',
    "The student's answer is not Yes-equivalent.": 'unknown', // bug 28: substring 'Yes' → 1 upstream
    '<think>At first \\boxed{Yes}, but no.</think>\n\\boxed{No}': 'incorrect',
    '<think>Could be \\boxed{No}.</think>\n\\boxed{Yes}': 'correct',
    '<最终结果>\n\\boxed{No}\n</最终结果>\nYes': 'incorrect',
    '<最终结果>\\boxed{Yes/No}<\\最终结果>': 'unknown', // bug 28: the prompt's placeholder → 1 upstream
    '\\boxed{\\text{Yes}}': 'correct',
    '<think>Yes they match.</think>\n<最终结果>\n不一致\n<\\最终结果>': 'incorrect',
    '': 'unknown', // upstream: 0 (silently wrong); strict: retried, then unknown
  };

  it('has an expectation for every golden reply', () => {
    expect(Object.keys(expected).sort()).toEqual(perception.map((item) => item.reply).sort());
  });

  it.each(Object.entries(expected))('reads %j as %s', (reply, verdict) => {
    expect(parseSemanticVerdict(reply).verdict).toBe(verdict);
  });

  it('reads verdicts in answer or verdict tags and plain words', () => {
    expect(parseSemanticVerdict('<verdict>No</verdict>').verdict).toBe('incorrect');
    expect(parseSemanticVerdict('Reasoning...\n<answer>yes</answer>').verdict).toBe('correct');
    expect(parseSemanticVerdict('**Yes**').verdict).toBe('correct');
    expect(parseSemanticVerdict('Yes and no').verdict).toBe('unknown');
  });
});

describe('TRUE/FALSE verdicts', () => {
  it('covers all 9 golden replies', () => expect(math).toHaveLength(9));

  it.each(math)('reads $reply as upstream did (upstream-rl)', ({ reply, generative_verify_returns }) => {
    const verdict = parseMathVerdictUpstream(reply).verdict;
    const want =
      generative_verify_returns === null ? 'unknown' : generative_verify_returns ? 'correct' : 'incorrect';
    expect(verdict).toBe(want);
  });

  it.each(math)('reads $reply the same way strictly (deepeyesv2)', ({ reply, generative_verify_returns }) => {
    const verdict = parseMathVerdict(reply).verdict;
    const want =
      generative_verify_returns === null ? 'unknown' : generative_verify_returns ? 'correct' : 'incorrect';
    expect(verdict).toBe(want);
  });

  it('is exact where upstream only looks for substrings', () => {
    // Upstream: 'true' in "not untrue" and no 'false' → TRUE. Strict: unknown.
    expect(parseMathVerdictUpstream('## Equivalence Judgement\nnot untrue').verdict).toBe('correct');
    expect(parseMathVerdict('## Equivalence Judgement\nnot untrue').verdict).toBe('unknown');
    expect(parseMathVerdict('## Equivalence Judgement\n**TRUE**').verdict).toBe('correct');
    expect(parseMathVerdict('## Equivalence Judgement\n\\boxed{FALSE}').verdict).toBe('incorrect');
  });
});
