import { afterAll, describe, expect, it } from 'vitest';
import { createPythonChildSandbox } from '../testing/python-child-sandbox.js';
import { verifyMathAnswer } from './math-answer.js';
import { createSympyEquivalence } from './sympy-equivalence.js';

const sandbox = createPythonChildSandbox();
const symbolic = createSympyEquivalence(sandbox);
afterAll(async () => {
  await symbolic.close();
  await sandbox.close();
});

describe('sympy equivalence in a sandbox session', () => {
  it('decides symbolic answers the fast path cannot', async () => {
    expect(await verifyMathAnswer('x+1', '1+x', { symbolic })).toMatchObject({
      correct: true,
      verifier: 'math-sympy',
    });
    expect(await verifyMathAnswer('(x+1)^2', 'x^2+2x+1', { symbolic })).toMatchObject({ correct: true });
    expect(await verifyMathAnswer('\\frac{x}{2}', '0.5x', { symbolic })).toMatchObject({ correct: true });
    expect(await verifyMathAnswer('x+2', 'x+1', { symbolic })).toMatchObject({
      correct: false,
      verifier: 'math-sympy',
    });
  });

  it('treats letters sympy would read as objects (N, S, I) as plain symbols', async () => {
    expect(await verifyMathAnswer('N+S', 'S+N', { symbolic })).toMatchObject({
      correct: true,
      verifier: 'math-sympy',
    });
  });

  it('returns null for what sympy cannot parse and keeps the session usable', async () => {
    const results = await symbolic.equivalent([
      ['x +* 1', 'x'],
      ["__import__('os').getcwd()", 'x'],
      ['y', 'y'],
    ]);
    expect(results[0]).toBeNull();
    expect(results[2]).toBe(true);
    expect(sandbox.sessionsOpened).toBe(1);
  });

  it('compares tuples element by element', async () => {
    expect(
      await symbolic.equivalent([
        ['(1, x)', '(1, x)'],
        ['(1, 2)', '(2, 1)'],
      ]),
    ).toEqual([true, false]);
  });
});
