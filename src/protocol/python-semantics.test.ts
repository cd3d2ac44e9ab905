import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePythonJson } from './python-json.js';
import { PythonFloat, pythonFloatRepr, pythonRound, pythonRoundTo } from './python-number.js';
import { pythonRepr, pythonStr, pythonTypeName } from './python-repr.js';
import {
  isPythonDecimal,
  isPythonWhitespace,
  PYTHON_DIGIT,
  PYTHON_DOT,
  pythonIsDigit,
  pythonLstrip,
  pythonRstrip,
  pythonSplit,
  pythonStrip,
} from './python-text.js';

/**
 * The helpers against what CPython answered for the same expressions, recorded by
 * test/fixtures/python-semantics/generate.py under /usr/bin/python3.
 */
const FIXTURE_DIR = new URL('../../test/fixtures/python-semantics/', import.meta.url);
const FIXTURE_TEXT = readFileSync(new URL('python-semantics.json', FIXTURE_DIR), 'utf8');

type Fixture = {
  python: string;
  whitespace: number[];
  strip: { input: string; strip: string; lstrip: string; rstrip: string; split: string[] }[];
  dot: { input: string; matches: boolean; matchesDotall: boolean }[];
  regex: { pattern: string; input: string; dotall: boolean; group: string | null }[];
  decimalRanges: [number, number][];
  digitNotDecimalRanges: [number, number][];
  regexDigitEqualsDecimal: boolean;
  digits: { input: string; isdigit: boolean; isdecimal: boolean; regexDigit: boolean }[];
  json: { input: string; type: string; str: string; repr: string; dumps: string }[];
  round: { x: string; ndigits: number | null; type: string; repr: string }[];
};
const fixture = JSON.parse(FIXTURE_TEXT) as Fixture;

/** A Python regex (no flags but DOTALL) rewritten with the helpers' `.` and `\d`. */
function pythonPattern(pattern: string, dotall: boolean): RegExp {
  const source = pattern
    .replaceAll('\\d', PYTHON_DIGIT)
    .replace(/\.(?=[*+?])/g, dotall ? '[\\s\\S]' : PYTHON_DOT);
  return new RegExp(source, 'u');
}

describe('python semantics fixture', () => {
  it.runIf(existsSync('/usr/bin/python3'))('should be what generate.py prints under /usr/bin/python3', () => {
    const script = new URL('generate.py', FIXTURE_DIR).pathname;
    const output = execFileSync('/usr/bin/python3', [script], { encoding: 'utf8', timeout: 60_000 });
    expect(output).toBe(FIXTURE_TEXT);
  });
});

describe('str.strip / lstrip / rstrip / split', () => {
  it("should treat exactly Python's isspace() code points as whitespace", () => {
    const ours: number[] = [];
    for (let code = 0; code < 0x10000; code += 1) {
      if (isPythonWhitespace(String.fromCharCode(code))) ours.push(code);
    }
    expect(ours).toEqual(fixture.whitespace);
  });

  it.each(fixture.strip)('should strip $input like Python', (row) => {
    expect(pythonStrip(row.input)).toBe(row.strip);
    expect(pythonLstrip(row.input)).toBe(row.lstrip);
    expect(pythonRstrip(row.input)).toBe(row.rstrip);
    expect(pythonSplit(row.input)).toEqual(row.split);
  });

  it('should differ from JavaScript trim() where Python does (BOM kept, \\x1c and \\x85 removed)', () => {
    expect(pythonStrip('\ufeffx')).not.toBe('\ufeffx'.trim());
    expect(pythonStrip('\x1cx\x85')).not.toBe('\x1cx\x85'.trim());
  });
});

describe('regex . and \\d', () => {
  it.each(fixture.dot)('PYTHON_DOT should match $input as Python . does', (row) => {
    expect(new RegExp(`^${PYTHON_DOT}$`, 'u').test(row.input)).toBe(row.matches);
    expect(/^[\s\S]$/u.test(row.input)).toBe(row.matchesDotall);
  });

  it.each(fixture.regex)('should find $pattern in $input like re.search', (row) => {
    const match = pythonPattern(row.pattern, row.dotall).exec(row.input);
    expect(match?.[1] ?? null).toBe(row.group);
  });

  it.each(fixture.digits)('should classify $input as isdigit/isdecimal/\\d do', (row) => {
    expect(pythonIsDigit(row.input)).toBe(row.isdigit);
    expect(isPythonDecimal(row.input)).toBe(row.isdecimal);
    expect(new RegExp(`^${PYTHON_DIGIT}$`, 'u').test(row.input)).toBe(row.regexDigit);
  });

  it("should count every one of Python's decimal digits (and \\d is exactly those)", () => {
    expect(fixture.regexDigitEqualsDecimal).toBe(true);
    for (const [first, last] of fixture.decimalRanges) {
      for (let code = first; code <= last; code += 1) {
        expect(isPythonDecimal(String.fromCodePoint(code)), `U+${code.toString(16)}`).toBe(true);
      }
    }
  });

  it('should know the non-decimal digits isdigit() accepts, exactly', () => {
    for (const [first, last] of fixture.digitNotDecimalRanges) {
      for (let code = first; code <= last; code += 1)
        expect(pythonIsDigit(String.fromCodePoint(code))).toBe(true);
      expect(pythonIsDigit(String.fromCodePoint(last + 1))).toBe(
        isPythonDecimal(String.fromCodePoint(last + 1)),
      );
    }
  });
});

describe('json.loads numbers and how Python prints them', () => {
  it.each(fixture.json)('should decode $input as a Python $type and print it back', (row) => {
    const decoded = parsePythonJson(row.input, { pythonNumbers: true });
    expect(decoded.ok).toBe(true);
    if (!decoded.ok) return;
    expect(pythonTypeName(decoded.value)).toBe(row.type);
    expect(pythonRepr(decoded.value)).toBe(row.repr);
    expect(pythonStr(decoded.value)).toBe(row.str);
  });

  it('should print a PythonFloat and a plain non-integral number the same way', () => {
    expect(pythonRepr(new PythonFloat(0.1))).toBe(pythonRepr(0.1));
    expect(pythonFloatRepr(1e-7)).toBe('1e-07');
  });
});

describe('round', () => {
  it.each(fixture.round)('round($x, $ndigits) should be $repr', (row) => {
    const x = Number(row.x);
    if (row.ndigits === null) {
      expect(row.type).toBe('int');
      expect(pythonRepr(pythonRound(x))).toBe(row.repr);
    } else {
      expect(pythonFloatRepr(pythonRoundTo(x, row.ndigits))).toBe(row.repr);
    }
  });
});
