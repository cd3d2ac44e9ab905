import { describe, expect, it } from 'vitest';
import { answerAlternatives, parseAnswerList, referenceText } from './answer-list.js';

describe('list-valued answers', () => {
  it('reads Python list literals as OCRBench.tsv stores them', () => {
    expect(parseAnswerList("['Centre', 'centre']")).toEqual(['Centre', 'centre']);
    expect(parseAnswerList("[\"It's\", 'its']")).toEqual(["It's", 'its']);
    expect(parseAnswerList("['\\\\frac { a } { b }']")).toEqual(['\\frac { a } { b }']);
    expect(parseAnswerList("['a\\nb', 'caf\\xe9', u'x', r'\\d']")).toEqual(['a\nb', 'café', 'x', '\\d']);
    expect(parseAnswerList('[12, 1.50, 2.0, True, None]')).toEqual(['12', '1.5', '2.0', 'True', 'None']);
    expect(parseAnswerList("['']")).toEqual(['']);
    expect(parseAnswerList('[]')).toEqual([]);
  });

  it('reads JSON arrays, and leaves plain or malformed answers alone', () => {
    expect(parseAnswerList('["a", null, true]')).toEqual(['a', 'None', 'true']);
    expect(parseAnswerList('Centre')).toBeUndefined();
    expect(parseAnswerList("['unclosed]")).toBeUndefined();
    expect(parseAnswerList('[a, b]')).toBeUndefined();
    expect(answerAlternatives('[2007, 2008] maybe')).toEqual(['[2007, 2008] maybe']);
  });

  it('turns array values from JSON or parquet rows into reference text that parses back', () => {
    const text = referenceText(['Centre', 'centre']);
    expect(text).toBe('["Centre","centre"]');
    expect(answerAlternatives(text!)).toEqual(['Centre', 'centre']);
    expect(referenceText(42)).toBe('42');
    expect(referenceText([])).toBeUndefined();
    expect(referenceText({ a: 1 })).toBeUndefined();
  });
});

describe('numbers in list-valued answers', () => {
  // Python: [str(x) for x in ast.literal_eval('[2.0, 1e-5, 1e16, 1_000, 0.5]')]
  it('should print them as Python str() does', () => {
    expect(parseAnswerList('[2.0, 1e-5, 1e16, 1_000, 0.5]')).toEqual([
      '2.0',
      '1e-05',
      '1e+16',
      '1000',
      '0.5',
    ]);
    expect(parseAnswerList('[2.0, null]')).toEqual(['2.0', 'None']);
  });
});
