/**
 * Small pieces of Python's string semantics that upstream behaviour depends on. JavaScript's
 * `trim()` and `String()` differ from Python's `str.strip()` and `str()` on edge cases, and the
 * golden fixtures are Python's output.
 */

/** Characters for which Python's `str.isspace()` is true (what `str.strip()` removes). */
const PYTHON_WHITESPACE = new Set(
  [
    '\t',
    '\n',
    '\u000b',
    '\u000c',
    '\r',
    '\u001c',
    '\u001d',
    '\u001e',
    '\u001f',
    ' ',
    '\u0085',
    '\u00a0',
    '\u1680',
    '\u2000',
    '\u2001',
    '\u2002',
    '\u2003',
    '\u2004',
    '\u2005',
    '\u2006',
    '\u2007',
    '\u2008',
    '\u2009',
    '\u200a',
    '\u2028',
    '\u2029',
    '\u202f',
    '\u205f',
    '\u3000',
  ].map((character) => character),
);

export function isPythonWhitespace(character: string): boolean {
  return PYTHON_WHITESPACE.has(character);
}

/** Python's `text.strip()` with no argument. */
export function pythonStrip(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && PYTHON_WHITESPACE.has(text[start]!)) start += 1;
  while (end > start && PYTHON_WHITESPACE.has(text[end - 1]!)) end -= 1;
  return text.slice(start, end);
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

/** Python's `repr()` of a str: single quotes unless the text holds a single quote and no double quote. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const character of text) {
    const code = character.codePointAt(0)!;
    if (character === '\\') body += '\\\\';
    else if (character === quote) body += `\\${quote}`;
    else if (character === '\n') body += '\\n';
    else if (character === '\r') body += '\\r';
    else if (character === '\t') body += '\\t';
    else if (code < 0x20 || code === 0x7f) body += `\\x${code.toString(16).padStart(2, '0')}`;
    else body += character;
  }
  return quote + body + quote;
}

/** Python's `str()` of a value decoded by `json.loads` (dict, list, str, int, float, bool, None). */
export function pythonStr(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

/** Python's `repr()` of a value decoded by `json.loads`. */
export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return pythonStringRepr(value);
  if (typeof value === 'number') return pythonNumberRepr(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  }
  return String(value);
}

function pythonNumberRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  return String(value);
}

/** The Python type name `json.loads` would give a value (for upstream's TypeError texts). */
export function pythonTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NoneType';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'str';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (Array.isArray(value)) return 'list';
  return 'dict';
}
