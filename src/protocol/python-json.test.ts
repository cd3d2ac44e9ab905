import { describe, expect, it } from 'vitest';
import { parsePythonJson } from './python-json.js';

/** Inputs and the `str(JSONDecodeError)` CPython 3.11's `json.loads` gives for them (recorded from Python). */
const PYTHON_ERRORS: [string, string][] = [
  ["{'name': 1}", 'Expecting property name enclosed in double quotes: line 1 column 2 (char 1)'],
  ['{"a": 1,}', 'Expecting property name enclosed in double quotes: line 1 column 9 (char 8)'],
  ['{"a"}', "Expecting ':' delimiter: line 1 column 5 (char 4)"],
  ['{"a": }', 'Expecting value: line 1 column 7 (char 6)'],
  ['[1,]', 'Expecting value: line 1 column 4 (char 3)'],
  ['[1 2]', "Expecting ',' delimiter: line 1 column 4 (char 3)"],
  ['', 'Expecting value: line 1 column 1 (char 0)'],
  ['"abc', 'Unterminated string starting at: line 1 column 1 (char 0)'],
  ['"a\\qb"', 'Invalid \\escape: line 1 column 3 (char 2)'],
  ['"\\u12"', 'Invalid \\uXXXX escape: line 1 column 3 (char 2)'],
  ['{"a": 1}\n{"b":2}', 'Extra data: line 2 column 1 (char 9)'],
  ['\ufeff{}', 'Unexpected UTF-8 BOM (decode using utf-8-sig): line 1 column 1 (char 0)'],
  // Positions count code points, not UTF-16 units.
  ['{"x": "東京" ,}', 'Expecting property name enclosed in double quotes: line 1 column 13 (char 12)'],
  ['"tab\there"', 'Invalid control character at: line 1 column 5 (char 4)'],
];

describe('parsePythonJson', () => {
  it.each(PYTHON_ERRORS)('fails on %j with Python’s message', (input, message) => {
    expect(parsePythonJson(input)).toEqual({ ok: false, message });
  });

  it('decodes what Python accepts, NaN and surrogate pairs included', () => {
    expect(parsePythonJson(' {"name": "search", "arguments": {"query": "\\ud83d\\uddfc"}} ')).toEqual({
      ok: true,
      value: { name: 'search', arguments: { query: '🗼' } },
    });
    const special = parsePythonJson('[NaN, -Infinity, 1e3, -0.5]');
    expect(special.ok && special.value).toEqual([Number.NaN, Number.NEGATIVE_INFINITY, 1000, -0.5]);
  });

  it('keeps a "__proto__" key as data', () => {
    const result = parsePythonJson('{"__proto__": {"polluted": true}}');
    expect(result.ok && Object.keys(result.value as object)).toEqual(['__proto__']);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });
});
