import { describe, expect, it } from 'vitest';
import { verifyByRules } from './rule-verifier.js';

async function general(prediction: string, reference: string, question?: string) {
  return verifyByRules({ prediction, reference, kind: 'general', ...(question ? { question } : {}) });
}

describe('multiple choice', () => {
  it.each([
    ['B', 'B'],
    ['b) text', 'B'],
    ['(B)', 'B'],
    ['(b) dog', 'B'],
    ['B. dog', 'B'],
    ['The answer is (B).', 'B'],
    ['\\boxed{B}', 'B'],
    ['B', '(B)'],
  ])('accepts %j for reference %j', async (prediction, reference) => {
    expect(await general(prediction, reference)).toMatchObject({
      correct: true,
      verifier: 'multiple-choice',
    });
  });

  it.each([
    ['C', 'B'],
    ['c) text', 'B'],
    ['a dog', 'B'],
  ])('rejects %j for reference %j', async (prediction, reference) => {
    expect(await general(prediction, reference)).toMatchObject({
      correct: false,
      verifier: 'multiple-choice',
    });
  });

  it('maps option text to its letter using the options in the question', async () => {
    const question = 'Which animal is it?\nA. cat\nB. dog\nC. bird';
    expect(await general('dog', 'B', question)).toMatchObject({ correct: true, verifier: 'multiple-choice' });
    expect(await general('cat', 'B', question)).toMatchObject({ correct: false });
    expect(await general('(B)', 'dog', question)).toMatchObject({
      correct: true,
      verifier: 'multiple-choice',
    });
  });
});

describe('numbers', () => {
  it.each([
    ['1,000', '1000'],
    ['1000', '1,000'],
    ['0.75', '3/4'],
    ['3/4', '0.75'],
    ['330 m', '330 metres'],
    ['0.33 km', '330 m'],
    ['It is about 330 metres tall.', '330 m'],
    ['75%', '0.75'],
    ['x = 4', '4'],
    ['12.0', '12'],
  ])('accepts %j for reference %j', async (prediction, reference) => {
    expect(await general(prediction, reference)).toMatchObject({ correct: true, verifier: 'number' });
  });

  it.each([
    ['100', '1000'],
    ['330 ft', '330 m'],
    ['330 kg', '330 m'],
    ['5 apples', '5 oranges'],
    ['between 3 and 4', '3'],
  ])('rejects %j for reference %j', async (prediction, reference) => {
    expect(await general(prediction, reference)).toMatchObject({ correct: false, verifier: 'number' });
  });

  it('honours a looser tolerance when asked', async () => {
    const input = { prediction: '0.333', reference: '1/3', kind: 'general' as const };
    expect(await verifyByRules(input)).toMatchObject({ correct: false });
    expect(await verifyByRules(input, { relativeTolerance: 0.01 })).toMatchObject({ correct: true });
  });
});

describe('yes / no', () => {
  it.each([
    ['Yes', 'yes', true],
    ['yes, it is red.', 'Yes', true],
    ['No.', 'no', true],
    ['No', 'Yes', false],
    ['maybe', 'yes', false],
  ])('%j for reference %j is %s', async (prediction, reference, correct) => {
    expect(await general(prediction, reference)).toMatchObject({ correct, verifier: 'yes-no' });
  });
});

describe('short answers', () => {
  it.each([
    ['The Eiffel Tower', 'eiffel tower'],
    ['  Eiffel   tower. ', 'Eiffel Tower'],
    ['"Tokyo"', 'tokyo'],
    ['St. Louis', 'St Louis'],
  ])('accepts %j for reference %j', async (prediction, reference) => {
    expect(await general(prediction, reference)).toMatchObject({ correct: true, verifier: 'short-answer' });
  });

  it('rejects a different answer and an empty one', async () => {
    expect(await general('London', 'Paris')).toMatchObject({ correct: false, verifier: 'short-answer' });
    expect(await general('', 'Paris')).toMatchObject({ correct: false });
  });
});

describe('alternatives joined by " or " (RealX-Bench)', () => {
  it('accepts either alternative and says which matched', async () => {
    expect(await general('Paris', 'Paris or Paris, France')).toMatchObject({
      correct: true,
      matchedAlternative: 'Paris',
    });
    expect(await general('paris, france', 'Paris or Paris, France')).toMatchObject({
      correct: true,
      matchedAlternative: 'Paris, France',
    });
  });

  it('rejects an answer matching no alternative', async () => {
    expect(await general('Lyon', 'Paris or Paris, France')).toMatchObject({ correct: false });
  });

  it('still matches an answer that itself contains " or "', async () => {
    expect(await general('black or white', 'Black or white')).toMatchObject({ correct: true });
    expect(await general('black or white', 'Black or white')).not.toHaveProperty('matchedAlternative');
  });
});

describe('math without a sandbox', () => {
  async function math(prediction: string, reference: string) {
    return verifyByRules({ prediction, reference, kind: 'math' });
  }

  it.each([
    ['\\frac{1}{2}', '0.5', 'math-numeric'],
    ['0.5', '\\frac{1}{2}', 'math-numeric'],
    ['3/4', '0.75', 'math-numeric'],
    ['\\dfrac{3}{4}', '0.75', 'math-numeric'],
    ['x = 1,000 units', '1000', 'math-normalized'],
    ['$\\frac12$', '\\frac{1}{2}', 'math-normalized'],
    ['2\\sqrt{2}', '\\sqrt{8}', 'math-numeric'],
    ['90^\\circ', '90', 'math-normalized'],
    ['\\pi/2', '1.5707963267948966', 'math-numeric'],
  ])('%j equals %j (%s)', async (prediction, reference, verifier) => {
    expect(await math(prediction, reference)).toMatchObject({ correct: true, verifier });
  });

  it('rejects different values', async () => {
    expect(await math('\\frac{1}{3}', '0.5')).toMatchObject({ correct: false, verifier: 'math-numeric' });
  });

  it('compares symbolic answers as strings when no sandbox is given', async () => {
    expect(await math('x+1', '1+x')).toMatchObject({ correct: false, verifier: 'math-string' });
  });

  it('uses multiple choice when the reference is an option letter', async () => {
    expect(await math('(C) 12', 'C')).toMatchObject({ correct: true, verifier: 'multiple-choice' });
  });
});
