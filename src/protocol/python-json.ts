import { PythonFloat } from './python-number.js';

/**
 * A JSON decoder that accepts exactly what CPython 3.11's `json.loads` accepts and fails with the
 * same message and position. Upstream shows the decoder's error text to the model
 * ("Invalid tool call format: … Error: Expecting ',' delimiter: line 1 column 12 (char 11)"), so
 * the observation after a malformed tool call depends on it byte for byte. Follows the C scanner
 * in Modules/_json.c (the one `json.loads` uses); positions count code points, as Python does.
 */

export type PythonJsonResult = { ok: true; value: unknown } | { ok: false; message: string };

export type PythonJsonOptions = {
  /**
   * Decode numbers as Python holds them: a float literal (`2.0`, `1e2`) as {@link PythonFloat}, an
   * int too big for a double as bigint. For texts that print values or their types back
   * (`'float' object is not subscriptable`). Default: plain JavaScript numbers.
   */
  pythonNumbers?: boolean;
};

class DecodeError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(reason);
  }
}

/** Thrown when no value starts at `position` (Python's StopIteration inside the scanner). */
class NoValue extends Error {
  constructor(readonly position: number) {
    super('no value');
  }
}

const JSON_WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Decodes like Python's `json.loads(text)`; on failure returns Python's `str(JSONDecodeError)`. */
export function parsePythonJson(text: string, options: PythonJsonOptions = {}): PythonJsonResult {
  const chars = Array.from(text);
  try {
    if (chars[0] === '\ufeff') throw new DecodeError('Unexpected UTF-8 BOM (decode using utf-8-sig)', 0);
    const scanner = new Scanner(chars, options.pythonNumbers === true);
    const start = scanner.skipWhitespace(0);
    let value: unknown;
    let end: number;
    try {
      [value, end] = scanner.scanValue(start);
    } catch (error) {
      if (error instanceof NoValue) throw new DecodeError('Expecting value', error.position);
      throw error;
    }
    end = scanner.skipWhitespace(end);
    if (end !== chars.length) throw new DecodeError('Extra data', end);
    return { ok: true, value };
  } catch (error) {
    if (error instanceof DecodeError) return { ok: false, message: formatDecodeError(chars, error) };
    if (error instanceof NoValue)
      return {
        ok: false,
        message: formatDecodeError(chars, new DecodeError('Expecting value', error.position)),
      };
    throw error;
  }
}

function formatDecodeError(chars: string[], error: DecodeError): string {
  let line = 1;
  let lastNewline = -1;
  for (let index = 0; index < error.position && index < chars.length; index += 1) {
    if (chars[index] === '\n') {
      line += 1;
      lastNewline = index;
    }
  }
  const column = error.position - lastNewline;
  return `${error.reason}: line ${line} column ${column} (char ${error.position})`;
}

class Scanner {
  constructor(
    private readonly chars: string[],
    private readonly pythonNumbers: boolean,
  ) {}

  skipWhitespace(index: number): number {
    let position = index;
    while (position < this.chars.length && JSON_WHITESPACE.has(this.chars[position]!)) position += 1;
    return position;
  }

  private startsWith(index: number, word: string): boolean {
    for (let offset = 0; offset < word.length; offset += 1) {
      if (this.chars[index + offset] !== word[offset]) return false;
    }
    return true;
  }

  scanValue(index: number): [unknown, number] {
    const character = this.chars[index];
    if (character === undefined) throw new NoValue(index);
    if (character === '"') return this.scanString(index + 1);
    if (character === '{') return this.scanObject(index + 1);
    if (character === '[') return this.scanArray(index + 1);
    const constants: [string, unknown][] = [
      ['null', null],
      ['true', true],
      ['false', false],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
    ];
    for (const [word, value] of constants) {
      if (this.startsWith(index, word)) return [value, index + word.length];
    }
    return this.scanNumber(index);
  }

  private scanNumber(start: number): [unknown, number] {
    const chars = this.chars;
    const isDigit = (position: number) => {
      const character = chars[position];
      return character !== undefined && character >= '0' && character <= '9';
    };
    let index = start;
    if (chars[index] === '-') {
      index += 1;
      if (index >= chars.length) throw new NoValue(start);
    }
    const first = chars[index];
    if (first !== undefined && first >= '1' && first <= '9') {
      index += 1;
      while (isDigit(index)) index += 1;
    } else if (first === '0') {
      index += 1;
    } else {
      throw new NoValue(start);
    }
    let isFloat = false;
    if (chars[index] === '.' && isDigit(index + 1)) {
      isFloat = true;
      index += 2;
      while (isDigit(index)) index += 1;
    }
    if (chars[index] === 'e' || chars[index] === 'E') {
      const exponentStart = index;
      index += 1;
      if (chars[index] === '-' || chars[index] === '+') index += 1;
      const digitsStart = index;
      while (isDigit(index)) index += 1;
      if (index === digitsStart) index = exponentStart;
      else isFloat = true;
    }
    const literal = chars.slice(start, index).join('');
    const value = Number(literal);
    if (!this.pythonNumbers) return [value, index];
    if (isFloat) return [new PythonFloat(value), index];
    return [Number.isSafeInteger(value) ? value : BigInt(literal), index];
  }

  private scanString(start: number): [string, number] {
    const chars = this.chars;
    const begin = start - 1;
    let index = start;
    let value = '';
    for (;;) {
      let character: string | undefined;
      while (index < chars.length) {
        character = chars[index]!;
        if (character === '"' || character === '\\') break;
        if (character.codePointAt(0)! <= 0x1f) throw new DecodeError('Invalid control character at', index);
        value += character;
        index += 1;
      }
      if (index >= chars.length) throw new DecodeError('Unterminated string starting at', begin);
      index += 1;
      if (character === '"') return [value, index];
      if (index === chars.length) throw new DecodeError('Unterminated string starting at', begin);
      const escaped = chars[index]!;
      if (escaped !== 'u') {
        const replacement = ESCAPES[escaped];
        if (replacement === undefined) throw new DecodeError('Invalid \\escape', index - 1);
        value += replacement;
        index += 1;
        continue;
      }
      const [code, next] = this.scanUnicodeEscape(index + 1);
      value += String.fromCharCode(code);
      index = next;
      if (
        code >= 0xd800 &&
        code <= 0xdbff &&
        next + 6 < chars.length &&
        chars[next] === '\\' &&
        chars[next + 1] === 'u'
      ) {
        const [low, afterLow] = this.scanUnicodeEscape(next + 2);
        if (low >= 0xdc00 && low <= 0xdfff) {
          value += String.fromCharCode(low);
          index = afterLow;
        }
      }
    }
  }

  /** Reads four hex digits at `index`; returns the code unit and the index after them. */
  private scanUnicodeEscape(index: number): [number, number] {
    const end = index + 4;
    if (end >= this.chars.length) throw new DecodeError('Invalid \\uXXXX escape', index - 1);
    const digits = this.chars.slice(index, end).join('');
    if (!/^[0-9a-fA-F]{4}$/.test(digits)) throw new DecodeError('Invalid \\uXXXX escape', end - 5);
    return [Number.parseInt(digits, 16), end];
  }

  private scanObject(start: number): [Record<string, unknown>, number] {
    const chars = this.chars;
    const result: Record<string, unknown> = {};
    let index = this.skipWhitespace(start);
    if (chars[index] === '}') return [result, index + 1];
    for (;;) {
      if (chars[index] !== '"')
        throw new DecodeError('Expecting property name enclosed in double quotes', index);
      const [key, afterKey] = this.scanString(index + 1);
      index = this.skipWhitespace(afterKey);
      if (chars[index] !== ':') throw new DecodeError("Expecting ':' delimiter", index);
      index = this.skipWhitespace(index + 1);
      const [value, afterValue] = this.scanValue(index);
      // defineProperty: a "__proto__" key must be data, not a prototype change.
      Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      index = this.skipWhitespace(afterValue);
      if (chars[index] === '}') return [result, index + 1];
      if (chars[index] !== ',') throw new DecodeError("Expecting ',' delimiter", index);
      index = this.skipWhitespace(index + 1);
    }
  }

  private scanArray(start: number): [unknown[], number] {
    const chars = this.chars;
    const result: unknown[] = [];
    let index = this.skipWhitespace(start);
    if (chars[index] === ']') return [result, index + 1];
    for (;;) {
      const [value, afterValue] = this.scanValue(index);
      result.push(value);
      index = this.skipWhitespace(afterValue);
      if (chars[index] === ']') return [result, index + 1];
      if (chars[index] !== ',') throw new DecodeError("Expecting ',' delimiter", index);
      index = this.skipWhitespace(index + 1);
    }
  }
}
