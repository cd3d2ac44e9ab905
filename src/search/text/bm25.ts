/**
 * BM25 exactly as SQLite FTS5's built-in `bm25()` computes it (k1 = 1.2, b = 0.75, per-column
 * weights, document length summed over all columns, IDF floored at 1e-6), so scores computed here
 * for some query words can be added to FTS5's scores for the others.
 */
const K1 = 1.2;
const B = 0.75;

/** FTS5's IDF: log((N − n + 0.5) / (n + 0.5)), floored so that very common words still count a little. */
export function inverseDocumentFrequency(passagesHoldingWord: number, passageCount: number): number {
  const idf = Math.log((passageCount - passagesHoldingWord + 0.5) / (passagesHoldingWord + 0.5));
  return idf <= 0 ? 1e-6 : idf;
}

/**
 * One word's part of a passage's score, negated like FTS5's (more negative is better).
 * `frequency` is the word's occurrences weighted by column; `length` the passage's tokens.
 */
export function bm25Part(options: {
  idf: number;
  frequency: number;
  length: number;
  averageLength: number;
}): number {
  const { idf, frequency, length, averageLength } = options;
  if (frequency === 0) return 0;
  return -(idf * ((frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * length) / averageLength))));
}

/** SQLite varints (big-endian, 7 bits a byte, a 9th byte of 8 bits), as FTS5 stores sizes and totals. */
export function decodeVarints(bytes: Uint8Array): number[] {
  const values: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    let value = 0;
    let byteIndex = 0;
    for (;;) {
      const byte = bytes[offset++] ?? 0;
      if (byteIndex === 8) {
        value = value * 256 + byte;
        break;
      }
      value = value * 128 + (byte & 0x7f);
      byteIndex += 1;
      if ((byte & 0x80) === 0 || offset >= bytes.length) break;
    }
    values.push(value);
  }
  return values;
}
