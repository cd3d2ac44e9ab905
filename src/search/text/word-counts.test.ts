import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { WordTokenizer } from './word-counts.js';

describe('WordTokenizer', () => {
  it('tokenizes query words as the index does (porter stemming, case and diacritics folded)', () => {
    const database = new Database(':memory:');
    const tokenizer = new WordTokenizer(database);
    tokenizer.prime(['Gulls', 'colonies', 'Café', 'x-y', 'lighthouses']);
    expect(tokenizer.token('Gulls')).toBe('gull');
    expect(tokenizer.token('colonies')).toBe('coloni');
    expect(tokenizer.token('Café')).toBe('cafe');
    expect(tokenizer.token('lighthouses')).toBe('lighthous');
    // Two tokens: no single word to look up.
    expect(tokenizer.token('x-y')).toBeNull();
    expect(tokenizer.token('naïve')).toBe('naiv');
    database.close();
  });
});
