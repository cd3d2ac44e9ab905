import type { RuleVerifiers } from './rule-verifiers.js';

const ARTICLES = /\b(a|an|the)\b/g;

/** Lower case, no articles, punctuation as spaces, single spaces. */
export function normalizeShortAnswer(text: string): string {
  return text
    .toLowerCase()
    .replace(/<\/?answer>/g, ' ')
    .replace(ARTICLES, ' ')
    .replace(/[^\p{L}\p{N}.%\s-]/gu, ' ')
    .replace(/(?<!\d)\.|\.(?!\d)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** RealX-Bench joins acceptable answers with " or ". */
export function splitAlternatives(reference: string): string[] {
  return reference
    .split(/\s+or\s+/i)
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** The first number in a text: handles "1,000", "-3.5", "42%", "3/4" and "\frac{3}{4}". */
export function parseNumber(text: string): number | undefined {
  const cleaned = text
    .replace(/\\(?:d|t)?frac\{([^{}]+)\}\{([^{}]+)\}/g, '$1/$2')
    .replace(/(\d),(?=\d{3}\b)/g, '$1');
  const fraction = /(-?\d+(?:\.\d+)?)\s*\/\s*(-?\d+(?:\.\d+)?)/.exec(cleaned);
  const plain = /-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/i.exec(cleaned);
  if (fraction && (!plain || fraction.index <= plain.index)) {
    const denominator = Number(fraction[2]);
    return denominator === 0 ? undefined : Number(fraction[1]) / denominator;
  }
  return plain ? Number(plain[0]) : undefined;
}

function numbersEqual(left: number, right: number, relativeTolerance: number, precision?: number): boolean {
  if (precision !== undefined) return Math.abs(left - right) <= 0.5 * 10 ** -precision + 1e-12;
  if (relativeTolerance === 0) return Math.abs(left - right) <= 1e-9 * Math.max(1, Math.abs(right));
  return Math.abs(left - right) <= relativeTolerance * Math.abs(right) + 1e-12;
}

/**
 * Rule checks without a judge or sandbox. Short answers match when the normalized prediction
 * equals an alternative or contains it as whole words (a short answer inside a sentence).
 */
export const basicRuleVerifiers: RuleVerifiers = {
  shortAnswer(prediction, reference) {
    const answer = normalizeShortAnswer(prediction);
    if (answer === '') return false;
    return splitAlternatives(reference).some((alternative) => {
      const expected = normalizeShortAnswer(alternative);
      if (expected === '') return false;
      if (answer === expected) return true;
      const predictedNumber = parseNumber(answer);
      const expectedNumber = /^-?[\d.,/]+%?$/.test(expected) ? parseNumber(expected) : undefined;
      if (expectedNumber !== undefined && predictedNumber !== undefined && answer.split(' ').length <= 3) {
        return numbersEqual(predictedNumber, expectedNumber, 0);
      }
      return ` ${answer} `.includes(` ${expected} `) && answer.length <= 300;
    });
  },
  number(prediction, reference, options = {}) {
    const predicted = parseNumber(prediction);
    const expected = parseNumber(reference);
    if (predicted === undefined || expected === undefined) return false;
    return numbersEqual(predicted, expected, options.relativeTolerance ?? 0, options.precision);
  },
  yesNo(prediction, reference) {
    const word = (text: string) => /\b(yes|no)\b/i.exec(text)?.[1]?.toLowerCase();
    const predicted = word(prediction);
    return predicted !== undefined && predicted === word(reference);
  },
  math(prediction, reference) {
    const strip = (text: string) =>
      text
        .replace(/\\boxed\{(.*)\}/, '$1')
        .replace(/\\left|\\right|\\!|\\,|\$|\s/g, '')
        .replace(/\\(?:d|t)frac/g, '\\frac')
        .replace(/^\(?([A-Z])\)?$/, '$1')
        .toLowerCase();
    if (strip(prediction) === strip(reference)) return true;
    const predicted = parseNumber(prediction);
    const expected = parseNumber(reference);
    const numericOnly = /^[-\d.,/%\\{}frac\s$]+$/;
    if (predicted === undefined || expected === undefined || !numericOnly.test(strip(reference)))
      return false;
    return numbersEqual(predicted, expected, 1e-6);
  },
};
