import { pythonStrip } from '../../../protocol/python-text.js';

/**
 * Python's `int(text)` and `float(text)` for strings, which VLMEvalKit's rule scorers call on model
 * output: surrounding whitespace (Python's set), a sign, `_` between digits, any Unicode decimal digit
 * ("١٤" is 14), and for floats `inf`/`infinity`/`nan` in any case. `undefined` where Python raises
 * ValueError.
 */

/**
 * The value 0–9 of a Unicode decimal digit. `\p{Nd}` comes in runs of ten starting at zero (the
 * mathematical digits are five runs back to back), so the value is the distance from the run's start.
 */
function digitValue(character: string): number | undefined {
  if (character >= '0' && character <= '9') return character.charCodeAt(0) - 48;
  if (!/^\p{Nd}$/u.test(character)) return undefined;
  const codePoint = character.codePointAt(0)!;
  let start = codePoint;
  while (/^\p{Nd}$/u.test(String.fromCodePoint(start - 1))) start -= 1;
  return (codePoint - start) % 10;
}

/** ASCII digits for Python's digit grammar (`1_000` → `1000`), or undefined when not digits. */
function asciiDigits(text: string): string | undefined {
  if (text === '' || text.startsWith('_') || text.endsWith('_') || text.includes('__')) return undefined;
  let out = '';
  for (const character of text) {
    if (character === '_') continue;
    const value = digitValue(character);
    if (value === undefined) return undefined;
    out += String(value);
  }
  return out;
}

/** Python `int(text)` (base 10). */
export function pythonInt(text: string): number | undefined {
  const match = /^([+-]?)(.+)$/su.exec(pythonStrip(text));
  if (!match) return undefined;
  const digits = asciiDigits(match[2]!);
  if (digits === undefined) return undefined;
  const value = Number(digits);
  return match[1] === '-' ? -value : value;
}

/** Python `float(text)`. */
export function pythonFloat(text: string): number | undefined {
  const stripped = pythonStrip(text);
  const signed = /^([+-]?)(.*)$/su.exec(stripped)!;
  const sign = signed[1] === '-' ? -1 : 1;
  const body = signed[2]!;
  const lower = body.toLowerCase();
  if (lower === 'inf' || lower === 'infinity') return sign * Number.POSITIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  const parts = /^([^.eE]*)(?:\.([^eE]*))?(?:[eE]([+-]?)([^eE]*))?$/su.exec(body);
  if (!parts) return undefined;
  const [, whole = '', fraction, exponentSign = '', exponent] = parts;
  const wholeDigits = whole === '' ? '' : asciiDigits(whole);
  const fractionDigits = fraction === undefined || fraction === '' ? '' : asciiDigits(fraction);
  if (wholeDigits === undefined || fractionDigits === undefined) return undefined;
  if (wholeDigits === '' && fractionDigits === '') return undefined;
  let literal = `${wholeDigits || '0'}.${fractionDigits || '0'}`;
  if (exponent !== undefined) {
    const exponentDigits = asciiDigits(exponent);
    if (exponentDigits === undefined) return undefined;
    literal += `e${exponentSign}${exponentDigits}`;
  }
  return sign * Number(literal);
}
