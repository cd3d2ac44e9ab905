import { describe, expect } from 'vitest';
import { sandboxTest } from '../../sandbox/testing/sandbox-test.js';
import { verifyMathAnswer } from './math-answer.js';
import { createSympyEquivalence } from './sympy-equivalence.js';

// The real, isolated kernel sandbox: what `deepeyes reward` uses for symbolic math.
const it = sandboxTest({ poolSize: 0 }).extend('symbolic', async ({ sandbox }, { onCleanup }) => {
  const symbolic = createSympyEquivalence(sandbox);
  onCleanup(() => symbolic.close());
  return symbolic;
});

describe('sympy equivalence in the real kernel sandbox', () => {
  it('decides symbolic answers', async ({ symbolic }) => {
    expect(await verifyMathAnswer('\\frac{x^2-1}{x-1}', 'x+1', { symbolic })).toMatchObject({
      correct: true,
      verifier: 'math-sympy',
    });
    expect(await verifyMathAnswer('2x', 'x^2', { symbolic })).toMatchObject({
      correct: false,
      verifier: 'math-sympy',
    });
  }, 120_000);
});
