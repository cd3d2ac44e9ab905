import type Database from 'better-sqlite3';
import { bm25Part, decodeVarints, inverseDocumentFrequency } from './bm25.js';
import { allTermsExpression } from './query-terms.js';
import { readWordCounts, type StoredWordCounts, WordTokenizer } from './word-counts.js';

/** Remembered word counts before the memory is emptied (a few MB at most). */
const MAX_REMEMBERED_WORDS = 100_000;

type Totals = { passageCount: number; averageLength: number };

/**
 * Word and passage statistics of the FTS5 table `passages_fts`, and BM25 scores computed from them
 * for a few passages at a time.
 *
 * Why: FTS5's bm25() walks the whole posting list of every query word on every query, to count the
 * passages holding it (its IDF). For a common word at a million passages that walk costs
 * milliseconds, even when only three passages are being scored. Here each word is counted once and
 * remembered until the index changes (`PRAGMA data_version` for other connections, `forget()` for
 * this one), and a passage's word frequencies come from FTS5 itself (highlight() on that one row),
 * so the words match exactly as in FTS5 (porter stemming, diacritics).
 */
export class WordStatistics {
  private readonly statements;
  private readonly counts = new Map<string, number>();
  private totals: Totals | undefined;
  private version = -1;
  /** The index's `word_counts` (null: none; undefined: not looked at since the last change). */
  private storedCounts: StoredWordCounts | null | undefined;
  private tokenizer: WordTokenizer | undefined;

  constructor(
    private readonly database: Database.Database,
    private readonly weights: { title: number; text: number },
  ) {
    this.statements = {
      dataVersion: database.prepare<[], number>('PRAGMA data_version').pluck(),
      // Unranked and capped: stops after the cap, so it costs the same for a common word as a rare one.
      cappedCount: database
        .prepare<[string, number], number>(
          'SELECT count(*) FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)',
        )
        .pluck(),
      averages: database.prepare<[], Buffer>('SELECT block FROM passages_fts_data WHERE id = 1').pluck(),
      length: database.prepare<[number], Buffer>('SELECT sz FROM passages_fts_docsize WHERE id = ?').pluck(),
      // highlight() adds one character per occurrence of the matched word, so the length
      // difference counts occurrences per column without a bm25() call (and its posting walk).
      // The rowid is bound as a BigInt: FTS5 ignores a rowid constraint whose value is not an
      // SQLite integer, and better-sqlite3 binds JS numbers as doubles.
      frequency: database.prepare<[string, bigint], { title: number; text: number }>(
        `SELECT length(highlight(passages_fts, 0, '.', '')) - length(title) AS title,
                length(highlight(passages_fts, 1, '.', '')) - length(text) AS text
         FROM passages_fts WHERE passages_fts MATCH ? AND rowid = ?`,
      ),
    };
  }

  /** Drops what is remembered when another connection changed the file; call before each query. */
  refresh(): void {
    const version = this.statements.dataVersion.get() as number;
    if (version !== this.version || this.counts.size >= MAX_REMEMBERED_WORDS) {
      this.forget();
      this.version = version;
    }
  }

  /** Drops everything remembered (after this connection wrote to the index). */
  forget(): void {
    this.counts.clear();
    this.totals = undefined;
    this.storedCounts = undefined;
  }

  /** Tokenizes in one go the words whose counts may be looked up (one FTS5 write, not one each). */
  prepare(terms: readonly string[]): void {
    const unknown = terms.filter((term) => !this.counts.has(term));
    if (unknown.length > 1 && this.stored() !== null) this.wordTokenizer().prime(unknown);
  }

  /** How many passages hold `term`, counting no further than `cap` (cheap for any word). */
  cappedCount(term: string, cap: number): number {
    const remembered = this.counts.get(term);
    if (remembered !== undefined) return Math.min(remembered, cap);
    const stored = this.stored();
    if (stored !== null && cap > stored.above + 1) {
      // Counting a word held by few passages is cheaper than tokenizing it to look it up.
      const few = this.countUpTo(term, stored.above + 1);
      if (few <= stored.above) return few;
      const exact = this.storedCount(term);
      if (exact !== undefined) return Math.min(exact, cap);
    }
    return this.countUpTo(term, cap);
  }

  private countUpTo(term: string, cap: number): number {
    const key = `${cap}\u0000${term}`;
    let count = this.counts.get(term) ?? this.counts.get(key);
    if (count === undefined) {
      count = this.statements.cappedCount.get(allTermsExpression([term]), cap) as number;
      // Below the cap the count is exact: remember it as such.
      this.counts.set(count < cap ? term : key, count);
    }
    return Math.min(count, cap);
  }

  /**
   * How many passages hold `term`: from `word_counts` when the index has them, else by walking the
   * word's posting list (milliseconds for a common word at 1M passages). Remembered either way.
   */
  passagesHolding(term: string): number {
    let count = this.counts.get(term);
    if (count === undefined) {
      count =
        this.storedCount(term) ?? (this.statements.cappedCount.get(allTermsExpression([term]), -1) as number);
      this.counts.set(term, count);
    }
    return count;
  }

  /** The exact count when it costs no posting walk: remembered, or in the index's `word_counts`. */
  cheapCount(term: string): number | undefined {
    const remembered = this.counts.get(term);
    if (remembered !== undefined) return remembered;
    const stored = this.storedCount(term);
    if (stored !== undefined) this.counts.set(term, stored);
    return stored;
  }

  private storedCount(term: string): number | undefined {
    const stored = this.stored();
    if (stored === null) return undefined;
    const token = this.wordTokenizer().token(term);
    if (token === null) return undefined;
    // A word missing from the table is held by few passages, so a capped count is exact.
    return stored.lookup(token) ?? this.countUpTo(term, stored.above + 1);
  }

  private stored(): StoredWordCounts | null {
    if (this.storedCounts === undefined) this.storedCounts = readWordCounts(this.database);
    return this.storedCounts;
  }

  /**
   * FTS5's BM25 over `terms` for each of `rowids` (a passage not holding a term gets 0 for it), and
   * whether the passage holds every term.
   */
  score(
    rowids: readonly number[],
    terms: readonly string[],
  ): Map<number, { score: number; holdsEvery: boolean }> {
    const { passageCount, averageLength } = this.loadTotals();
    const idfs = terms.map((term) => inverseDocumentFrequency(this.passagesHolding(term), passageCount));
    const scores = new Map<number, { score: number; holdsEvery: boolean }>();
    for (const rowid of rowids) {
      const sizes = this.statements.length.get(rowid);
      const length = sizes ? decodeVarints(sizes).reduce((sum, size) => sum + size, 0) : 0;
      const frequencies = this.frequencies(rowid, terms);
      let score = 0;
      frequencies.forEach((frequency, index) => {
        score += bm25Part({ idf: idfs[index]!, frequency, length, averageLength });
      });
      scores.set(rowid, { score, holdsEvery: frequencies.every((frequency) => frequency > 0) });
    }
    return scores;
  }

  /** Passages in the index (FTS5's own count). */
  passageCount(): number {
    return this.loadTotals().passageCount;
  }

  /** Each term's occurrences in one passage, weighted by column, as FTS5's bm25() counts them. */
  private frequencies(rowid: number, terms: readonly string[]): number[] {
    return terms.map((term) => {
      const counted = this.statements.frequency.get(allTermsExpression([term]), BigInt(rowid));
      return counted ? this.weights.title * counted.title + this.weights.text * counted.text : 0;
    });
  }

  private wordTokenizer(): WordTokenizer {
    this.tokenizer ??= new WordTokenizer(this.database);
    return this.tokenizer;
  }

  /** Passage count and mean length in tokens, from FTS5's own "averages" record. */
  private loadTotals(): Totals {
    if (!this.totals) {
      const block = this.statements.averages.get();
      const [passageCount = 0, ...columnTotals] = block ? decodeVarints(block) : [];
      const tokens = columnTotals.reduce((sum, total) => sum + total, 0);
      this.totals = { passageCount, averageLength: passageCount > 0 ? tokens / passageCount : 1 };
    }
    return this.totals;
  }
}
