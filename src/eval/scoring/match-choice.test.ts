import { describe, expect, it } from 'vitest';
import { letterOptions } from '../options.js';
import { matchChoice } from './match-choice.js';

const options = letterOptions(['red', 'dark red', 'blue', 'a white cat']);
const letter = (prediction: string) => matchChoice(prediction, options)?.letter;

describe('matching a prediction to an option', () => {
  it('reads letters in their common forms', () => {
    for (const form of [
      'C',
      'c',
      '(C)',
      'C.',
      'C)',
      '[C]',
      'C. blue',
      '(C) blue',
      '<answer>C</answer>',
      '\\boxed{C}',
    ]) {
      expect(letter(form), form).toBe('C');
    }
  });

  it('reads option text after shuffling, preferring the longest option named', () => {
    expect(matchChoice('blue', options)).toEqual({ letter: 'C', by: 'text' });
    expect(letter('Dark red.')).toBe('B');
    expect(letter('The car is dark red')).toBe('B');
    expect(letter('It is red')).toBe('A');
  });

  it('does not read the article "A" as option A', () => {
    expect(letter('A white cat')).toBe('D');
    expect(letter('A dog sits there')).toBeUndefined();
  });

  it('reads "the answer is B" phrases and lone capitals in short sentences', () => {
    expect(letter('The answer is (B).')).toBe('B');
    expect(letter('Option D')).toBe('D');
    expect(letter('I think it is B.')).toBe('B');
  });

  it('gives up on ambiguous predictions', () => {
    expect(letter('either red or blue')).toBeUndefined();
    expect(letter('')).toBeUndefined();
    expect(letter('green')).toBeUndefined();
  });
});
