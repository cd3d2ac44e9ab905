import { unwrapAnswer } from './normalize-text.js';
import type { RuleDecision } from './rule-decision.js';
import { type KnownUnit, lookupUnit } from './units.js';

/** A number read from an answer, with whatever followed it (a unit, a percent sign). */
export type Quantity = { value: number; unit: string; percent: boolean };

// Digits with optional thousands separators ("1,000"), a decimal part, an exponent, or a fraction "3/4".
const NUMBER = String.raw`[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?`;
const QUANTITY = new RegExp(
  String.raw`^(?:approximately|approx\.?|about|around|roughly|~|≈)?\s*([$€£¥])?\s*(${NUMBER})(?:\s*/\s*(${NUMBER}))?\s*(%|[^\d].*)?$`,
  'iu',
);
const ANY_NUMBER = /[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?/gu;

function toNumber(text: string): number | undefined {
  if (!/\d/u.test(text)) return undefined;
  const value = Number(text.replace(/,/gu, '').replace('−', '-'));
  return Number.isFinite(value) ? value : undefined;
}

/** Reads "1,000", "3/4", "330 m", "12.5%", "$5", "x = 4"; undefined when the answer is not one number. */
export function parseQuantity(text: string): Quantity | undefined {
  const value = unwrapAnswer(text).split('=').at(-1)!.trim();
  const match = QUANTITY.exec(value);
  if (!match) return undefined;
  const numerator = toNumber(match[2]!);
  if (numerator === undefined) return undefined;
  const denominator = match[3] === undefined ? 1 : toNumber(match[3]);
  if (denominator === undefined || denominator === 0) return undefined;
  const suffix = (match[4] ?? '').trim().replace(/[.。]$/u, '');
  const unit = match[1] ?? suffix;
  // A suffix that is a sentence, not a unit ("5 of them are red") makes this not a quantity.
  if (unit.split(/\s+/u).length > 3) return undefined;
  return { value: numerator / denominator, unit: unit === '%' ? '' : unit, percent: suffix === '%' };
}

/** The only number in a longer answer ("It is about 330 metres tall."), with the unit right after it. */
function soleQuantityIn(text: string): Quantity | undefined {
  const numbers = [...text.matchAll(ANY_NUMBER)];
  if (numbers.length !== 1) return undefined;
  const found = numbers[0]!;
  const after = text.slice(found.index + found[0].length).trim();
  const unitWord = /^(%|[^\s\d,;.!?]+)/u.exec(after)?.[1] ?? '';
  const unit = lookupUnit(unitWord) ? unitWord : '';
  return { value: toNumber(found[0])!, unit: unitWord === '%' ? '' : unit, percent: unitWord === '%' };
}

export type NumberOptions = {
  /** Relative tolerance for equality. Default 1e-6. */
  relativeTolerance?: number;
  /** Absolute tolerance, for values near zero. Default 1e-9. */
  absoluteTolerance?: number;
};

function close(left: number, right: number, options: NumberOptions): boolean {
  const relative = options.relativeTolerance ?? 1e-6;
  const absolute = options.absoluteTolerance ?? 1e-9;
  return Math.abs(left - right) <= Math.max(absolute, relative * Math.max(Math.abs(left), Math.abs(right)));
}

function inBaseUnits(quantity: Quantity, unit: KnownUnit | undefined): number {
  return unit ? quantity.value * unit.factor : quantity.value;
}

/** Applies when the reference is a number (with an optional unit or percent sign). */
export function verifyNumber(
  prediction: string,
  reference: string,
  options: NumberOptions = {},
): RuleDecision | undefined {
  const expected = parseQuantity(reference);
  if (!expected) return undefined;
  const given = parseQuantity(prediction) ?? soleQuantityIn(unwrapAnswer(prediction));
  if (!given) return { correct: false, verifier: 'number', detail: 'no single number in the answer' };
  const expectedUnit = lookupUnit(expected.unit);
  const givenUnit = lookupUnit(given.unit);
  let correct: boolean;
  if (expectedUnit && givenUnit) {
    correct =
      expectedUnit.dimension === givenUnit.dimension &&
      close(inBaseUnits(given, givenUnit), inBaseUnits(expected, expectedUnit), options);
  } else if (
    given.unit !== '' &&
    expected.unit !== '' &&
    given.unit.toLowerCase() !== expected.unit.toLowerCase()
  ) {
    correct = false;
  } else if (given.percent !== expected.percent) {
    // "75%" and "0.75" name the same share; "75%" and "75" are accepted too (the sign is often dropped).
    const share = given.percent ? given.value / 100 : expected.value / 100;
    const other = given.percent ? expected.value : given.value;
    correct = close(share, other, options) || close(given.value, expected.value, options);
  } else {
    correct = close(given.value, expected.value, options);
  }
  return {
    correct,
    verifier: 'number',
    detail:
      `${given.value}${given.percent ? '%' : ''} ${given.unit} vs ${expected.value}${expected.percent ? '%' : ''} ${expected.unit}`.trim(),
  };
}
