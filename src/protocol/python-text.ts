/**
 * Small pieces of Python's string semantics that upstream behaviour depends on. JavaScript's
 * `trim()` and `String()` differ from Python's `str.strip()` and `str()` on edge cases, and the
 * golden fixtures are Python's output.
 */

/**
 * Characters for which Python's `str.isspace()` is true: what `str.strip()` and `str.split()` remove.
 * JavaScript's `trim()` and `\s` differ both ways: they miss `\x1c`–`\x1f` and `\x85`, and they
 * also remove `\ufeff` (a BOM), which Python keeps. Checked against CPython in python-semantics.test.ts.
 */
const PYTHON_WHITESPACE_CODES = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
];
const PYTHON_WHITESPACE = new Set(PYTHON_WHITESPACE_CODES.map((code) => String.fromCharCode(code)));

/** Python's whitespace set as a regex character class (`\s` in a Python `str` pattern), for building patterns. */
export const PYTHON_SPACE_CLASS = `[${PYTHON_WHITESPACE_CODES.map((code) => `\\u${code.toString(16).padStart(4, '0')}`).join('')}]`;

/**
 * Python's regex `.` without DOTALL: anything but `\n`. JavaScript's `.` also refuses `\r`,
 * `\u2028` and `\u2029`, so a pattern imitating upstream spells `.` as this class.
 */
export const PYTHON_DOT = '[^\\n]';

/**
 * Python's `\d` in a `str` pattern: any Unicode decimal digit (Arabic-Indic, fullwidth, …), not
 * superscripts. Needs the `u` flag. Node's Unicode tables may be newer than the CPython that
 * produced the fixtures; digits of scripts added since then match here and not there.
 */
export const PYTHON_DIGIT = '\\p{Nd}';

export function isPythonWhitespace(character: string): boolean {
  return PYTHON_WHITESPACE.has(character);
}

/** Python's `text.strip()` with no argument. */
export function pythonStrip(text: string): string {
  return pythonRstrip(pythonLstrip(text));
}

/** Python's `text.lstrip()` with no argument. */
export function pythonLstrip(text: string): string {
  let start = 0;
  while (start < text.length && PYTHON_WHITESPACE.has(text[start]!)) start += 1;
  return text.slice(start);
}

/** Python's `text.rstrip()` with no argument. */
export function pythonRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && PYTHON_WHITESPACE.has(text[end - 1]!)) end -= 1;
  return text.slice(0, end);
}

/** Python's `text.split()` with no argument: runs of Python whitespace separate, empty parts dropped. */
export function pythonSplit(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (const character of text) {
    if (isPythonWhitespace(character)) {
      if (current !== '') parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  if (current !== '') parts.push(current);
  return parts;
}

/** Python's `len(text)`: code points, not UTF-16 units. */
export function pythonLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}

/** Code points that are `str.isdigit()` but not decimal (superscripts, circled digits, …), as [first, last] runs. */
const DIGIT_NOT_DECIMAL: readonly [number, number][] = [
  [0xb2, 0xb3],
  [0xb9, 0xb9],
  [0x1369, 0x1371],
  [0x19da, 0x19da],
  [0x2070, 0x2070],
  [0x2074, 0x2079],
  [0x2080, 0x2089],
  [0x2460, 0x2468],
  [0x2474, 0x247c],
  [0x2488, 0x2490],
  [0x24ea, 0x24ea],
  [0x24f5, 0x24fd],
  [0x24ff, 0x24ff],
  [0x2776, 0x277e],
  [0x2780, 0x2788],
  [0x278a, 0x2792],
  [0x10a40, 0x10a43],
  [0x10e60, 0x10e68],
  [0x11052, 0x1105a],
  [0x1f100, 0x1f10a],
];

const DECIMAL = /^\p{Nd}$/u;

/** Python's `character.isdecimal()` (also what `\d` matches) for one code point. */
export function isPythonDecimal(character: string): boolean {
  return DECIMAL.test(character);
}

/** Python's `text.isdigit()`: non-empty and every code point a digit (decimal digits, superscripts, ①, …). */
export function pythonIsDigit(text: string): boolean {
  if (text === '') return false;
  for (const character of text) {
    if (isPythonDecimal(character)) continue;
    const code = character.codePointAt(0)!;
    if (!DIGIT_NOT_DECIMAL.some(([first, last]) => code >= first && code <= last)) return false;
  }
  return true;
}

/** Python's `text.split(separator)[index]`, or undefined when there are fewer parts. */
export function pythonSplitPart(text: string, separator: string, index: number): string | undefined {
  return text.split(separator)[index];
}

/** Number of Unicode code points in `text` up to UTF-16 offset `offset` (Python string indices count code points). */
export function codePointIndex(text: string, offset: number): number {
  let count = 0;
  for (let index = 0; index < offset; index += 1) {
    const code = text.charCodeAt(index);
    // A high surrogate followed by a low surrogate is one code point.
    if (code >= 0xd800 && code <= 0xdbff && index + 1 < offset) {
      const next = text.charCodeAt(index + 1);
      if (next >= 0xdc00 && next <= 0xdfff) index += 1;
    }
    count += 1;
  }
  return count;
}
