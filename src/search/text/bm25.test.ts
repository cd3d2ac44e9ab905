import { describe, expect, it } from 'vitest';
import { bm25Part, decodeVarints, inverseDocumentFrequency } from './bm25.js';
import { mergeRanked } from './merge-ranked.js';

describe('decodeVarints', () => {
  it('reads the one- to nine-byte SQLite varints FTS5 stores sizes in', () => {
    expect(decodeVarints(Uint8Array.from([0x04, 0x6d]))).toEqual([4, 109]);
    // 100000 = 0b110 0001101 0100000 → 0x86 0x8d 0x20
    expect(decodeVarints(Uint8Array.from([0x86, 0x8d, 0x20, 0x00]))).toEqual([100_000, 0]);
    // Nine bytes: eight of 7 bits, then one of 8 bits.
    expect(decodeVarints(Uint8Array.from([0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]))).toEqual([
      2 ** 57 + 1,
    ]);
  });
});

describe('bm25Part', () => {
  it('follows FTS5: IDF floored for words in most passages, nothing for an absent word', () => {
    expect(inverseDocumentFrequency(10, 1000)).toBeCloseTo(Math.log(990.5 / 10.5), 12);
    expect(inverseDocumentFrequency(900, 1000)).toBe(1e-6);
    expect(bm25Part({ idf: 2, frequency: 0, length: 10, averageLength: 10 })).toBe(0);
    // At average length, one occurrence scores idf · (k1 + 1) / (1 + k1) = idf.
    expect(bm25Part({ idf: 2, frequency: 1, length: 10, averageLength: 10 })).toBeCloseTo(-2, 12);
    // Longer passages score lower for the same count.
    expect(bm25Part({ idf: 2, frequency: 1, length: 40, averageLength: 10 })).toBeGreaterThan(-2);
  });
});

describe('mergeRanked', () => {
  it('puts passages holding every word first, keeps each passage once with its best score', () => {
    const merged = mergeRanked(
      new Set([3]),
      [
        [
          { rowid: 1, score: -9 },
          { rowid: 2, score: -4 },
          { rowid: 3, score: -2 },
        ],
        [
          { rowid: 2, score: -6 },
          { rowid: 4, score: -6 },
        ],
      ],
      3,
    );
    expect(merged).toEqual([
      { rowid: 3, score: -2 },
      { rowid: 1, score: -9 },
      { rowid: 2, score: -6 },
    ]);
  });
});
