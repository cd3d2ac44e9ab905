import { pythonStrip } from './python-text.js';

/**
 * Python's number semantics where upstream prints or parses numbers: a float is printed `2.0`,
 * `1e-05`, `1e+16` (JavaScript prints `2`, `0.00001`, `10000000000000000`), `round()` rounds half
 * to even on the exact binary value, and `int()`/`float()` read any Unicode decimal digit.
 * Checked against CPython in python-semantics.test.ts.
 */

/**
 * A value Python holds as a `float` although JavaScript would print it as an integer (`json.loads`
 * of `2.0` or `1e2`). Decoders return it where the float-ness shows in a printed text or error.
 */
export class PythonFloat {
  constructor(readonly value: number) {}
}

/** The number behind a decoded JSON number, whether int or {@link PythonFloat}; undefined for anything else. */
export function jsonNumberValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof PythonFloat) return value.value;
  return undefined;
}

/** Python's `repr(x)` (and `str(x)`) of a float. */
export function pythonFloatRepr(value: number): string {
  if (Number.isNaN(value)) return 'nan';
  if (value === Number.POSITIVE_INFINITY) return 'inf';
  if (value === Number.NEGATIVE_INFINITY) return '-inf';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  // toExponential() without an argument gives the shortest round-tripping digits, as Python's repr does.
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace(/^-/, '').replace('.', '');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 16) {
    const fraction = digits.length > 1 ? `.${digits.slice(1)}` : '';
    const exponentSign = exponent < 0 ? '-' : '+';
    return `${sign}${digits[0]}${fraction}e${exponentSign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  if (exponent < 0) return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
  const fraction = digits.slice(exponent + 1);
  return `${sign}${whole}.${fraction === '' ? '0' : fraction}`;
}

/** `value` as exact integer mantissa and power-of-two exponent (value = mantissa * 2^exponent). */
function exactBinary(value: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(value));
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & 0xfffffffffffffn;
  if (biased === 0) return { mantissa: fraction, exponent: -1074 };
  return { mantissa: fraction | (1n << 52n), exponent: biased - 1075 };
}

/** n / d rounded half to even (n, d > 0). */
function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) {
    return quotient + 1n;
  }
  return quotient;
}

/** Python's `round(x)`: the nearest integer, ties to even. */
export function pythonRound(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`cannot round ${value} to an integer`);
  const floor = Math.floor(value);
  const difference = value - floor;
  if (difference > 0.5 || (difference === 0.5 && floor % 2 !== 0)) return floor + 1 + 0;
  return floor + 0;
}

/**
 * Python's `round(x, ndigits)` for a float: the exact binary value rounded half to even at
 * `ndigits` decimals (negative: tens, hundreds, …), so `round(2.675, 2)` is 2.67 and
 * `round(0.125, 2)` is 0.12. Print the result with {@link pythonFloatRepr}.
 */
export function pythonRoundTo(value: number, ndigits: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const sign = value < 0 ? -1 : 1;
  const { mantissa, exponent } = exactBinary(value);
  let numerator = mantissa;
  let denominator = 1n;
  if (exponent >= 0) numerator <<= BigInt(exponent);
  else denominator <<= BigInt(-exponent);
  if (ndigits >= 0) numerator *= 10n ** BigInt(ndigits);
  else denominator *= 10n ** BigInt(-ndigits);
  const rounded = divideHalfEven(numerator, denominator);
  // The decimal string converts with correct rounding, as CPython's strtod does.
  return sign * Number(`${rounded}e${-ndigits}`);
}

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

/**
 * Python `int(text)` (base 10) for a string: surrounding whitespace (Python's set), a sign, `_`
 * between digits, any Unicode decimal digit ("١٤" is 14). `undefined` where Python raises ValueError.
 */
export function pythonInt(text: string): number | undefined {
  const match = /^([+-]?)(.+)$/su.exec(pythonStrip(text));
  if (!match) return undefined;
  const digits = asciiDigits(match[2]!);
  if (digits === undefined) return undefined;
  const value = Number(digits);
  return match[1] === '-' ? -value : value;
}

/** Python `float(text)` for a string: as {@link pythonInt}, plus `inf`/`infinity`/`nan` in any case. */
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
