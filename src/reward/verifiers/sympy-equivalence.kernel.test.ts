import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalSandbox, type KernelSandbox } from '../../sandbox/kernel-sandbox.js';
import { verifyMathAnswer } from './math-answer.js';
import { createSympyEquivalence, type SymbolicEquivalence } from './sympy-equivalence.js';

// The real, isolated kernel sandbox: what `deepeyes reward` uses for symbolic math.
let sandbox: KernelSandbox;
let symbolic: SymbolicEquivalence;
beforeAll(async () => {
  sandbox = await createLocalSandbox({ poolSize: 0 });
  symbolic = createSympyEquivalence(sandbox);
}, 120_000);
afterAll(async () => {
  await symbolic?.close();
  await sandbox?.close();
});

describe('sympy equivalence in the real kernel sandbox', () => {
  it('decides symbolic answers', async () => {
    expect(await verifyMathAnswer('\\frac{x^2-1}{x-1}', 'x+1', { symbolic })).toMatchObject({
      correct: true,
      verifier: 'math-sympy',
    });
    expect(await verifyMathAnswer('2x', 'x^2', { symbolic })).toMatchObject({
      correct: false,
      verifier: 'math-sympy',
    });
  }, 60_000);
});
