import { describe, expect, it } from 'vitest';
import { pythonFloat, pythonInt } from './python-number.js';

// Expected values are Python 3's int()/float() on the same strings.
describe("Python's int() and float() on model output", () => {
  it('int', () => {
    expect(pythonInt(' 14 ')).toBe(14);
    expect(pythonInt('+14')).toBe(14);
    expect(pythonInt('-3')).toBe(-3);
    expect(pythonInt('1_000')).toBe(1000);
    expect(pythonInt('١٤')).toBe(14);
    expect(pythonInt('𝟙𝟜')).toBe(14);
    for (const bad of ['14.', '14.0', '1__0', '_1', '', '1e2', '0x10', '14 apples']) {
      expect(pythonInt(bad)).toBeUndefined();
    }
  });

  it('float', () => {
    expect(pythonFloat('0.6')).toBe(0.6);
    expect(pythonFloat('14.')).toBe(14);
    expect(pythonFloat('.5')).toBe(0.5);
    expect(pythonFloat('1e2')).toBe(100);
    expect(pythonFloat('1_000.5')).toBe(1000.5);
    expect(pythonFloat('-Infinity')).toBe(Number.NEGATIVE_INFINITY);
    expect(pythonFloat('nan')).toBeNaN();
    expect(pythonFloat('\u00a042\u3000')).toBe(42);
    for (const bad of ['1,000', '57%', '', '.', 'e5', '1e', '$5', 'infinit']) {
      expect(pythonFloat(bad)).toBeUndefined();
    }
  });
});
