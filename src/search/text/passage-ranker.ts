import type Database from 'better-sqlite3';
import { mergeRanked, type Ranked } from './merge-ranked.js';
import { allTermsExpression, anyTermExpression } from './query-terms.js';
import { WordStatistics } from './word-statistics.js';

/** SQLite's LIMIT for "no limit". */
const UNLIMITED = -1;
/**
 * Measured at 1M passages (2 shared cores): bm25() walks a query word's posting list at ~45 ns a
 * passage; scoring one (passage, word) directly (a highlight() of that passage) costs ~25 µs.
 */
const WALK_MICROSECONDS_PER_POSTING = 0.045;
const DIRECT_MICROSECONDS_PER_PAIR = 25;
/** Direct scoring past ~20 ms is never worth it: bm25() then ranks that many rows faster. */
const MAX_PAIRS_SCORED_DIRECTLY = 800;
/** Without stored counts a common word's count is itself a walk; score only a few pairs directly. */
const PAIRS_SCORED_DIRECTLY_WITHOUT_COUNTS = 48;
const NO_PAIR_LIMIT = 1_000_000_000;

export type PassageRankerOptions = {
  /** BM25 column weights, as configured for the FTS5 table. */
  weights: { title: number; text: number };
  /**
   * Query words are "rare" while together they occur in at most this many passages. FTS5 ranks a
   * passage in ~3 µs, so ranking every passage of the rare words stays near a millisecond; words
   * beyond are "common". Default 500.
   */
  rareWordPassages?: number;
  /**
   * When to score (passage, word) pairs from word statistics instead of FTS5's bm25(), whose
   * per-query posting walk costs milliseconds for a common word at 1M passages (both give the same
   * scores). `auto` (default): when cheaper by a cost model over the words' counts (stored by
   * `refreshWordCounts`), or up to 48 pairs for an index without stored counts. `off`: never.
   * `always`: whenever possible (tests).
   */
  directScoring?: 'auto' | 'off' | 'always';
};

/**
 * Picks the BM25 top passages for a query's words, cheaply at a million passages. Passages holding
 * every word come first, then passages holding some, each group ranked by BM25 over the words the
 * passage holds (the same scores as FTS5's bm25() with these weights).
 * - With a rare word, the candidates are the passages holding a rare word: FTS5 ranks them on the
 *   rare words, and the few that also hold common words get those words' parts added.
 * - With common words only: passages holding every word, then, when fewer than asked for and there
 *   are 3+ words, passages holding all words but one. Passages holding only some common words are
 *   never candidates: an OR over words found in most passages is what makes naive BM25 slow, and
 *   such passages rank last anyway.
 */
export class PassageRanker {
  private readonly statements;
  private readonly statistics: WordStatistics;
  private readonly rareWordPassages: number;
  private readonly directScoring: 'auto' | 'off' | 'always';

  constructor(database: Database.Database, options: PassageRankerOptions) {
    const { title, text } = options.weights;
    this.statements = {
      // bm25() sorted by SQLite, not `ORDER BY rank`: the same scores, but FTS5's rank sorter
      // walks every word's posting list a second time on each query (2× slower at 1M passages).
      ranked: database.prepare<[string, number], Ranked>(
        `SELECT rowid, bm25(passages_fts, ${title}, ${text}) AS score FROM passages_fts
         WHERE passages_fts MATCH ? ORDER BY score, rowid LIMIT ?`,
      ),
      matching: database
        .prepare<[string, number], number>(
          'SELECT rowid FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?',
        )
        .pluck(),
    };
    this.statistics = new WordStatistics(database, options.weights);
    this.rareWordPassages = options.rareWordPassages ?? 500;
    this.directScoring = options.directScoring ?? 'auto';
  }

  /** Forgets remembered statistics; call after this connection wrote to the index. */
  forget(): void {
    this.statistics.forget();
  }

  rank(terms: string[], limit: number): Ranked[] {
    if (terms.length === 0 || limit <= 0) return [];
    this.statistics.refresh();
    this.statistics.prepare(terms);
    if (terms.length === 1) return this.rankHoldingAll(terms, limit);
    const rare = this.rarestTerms(terms);
    if (rare.length === 0) return this.rankCommonTerms(terms, limit);
    const common = terms.filter((term) => !rare.includes(term));
    const anyRare = anyTermExpression(rare);
    const onRareWords = this.statements.ranked.all(anyRare, UNLIMITED);
    if (common.length === 0) {
      const holdingEvery = this.statements.matching.all(allTermsExpression(terms), UNLIMITED);
      return mergeRanked(new Set(holdingEvery), [onRareWords], limit);
    }
    // Passages holding a rare and a common word: usually a handful. Their full score is the rare
    // words' part (FTS5's, above) plus the common words' part.
    const mixedExpression = `(${anyRare}) AND (${anyTermExpression(common)})`;
    const mixed = this.statements.matching.all(mixedExpression, UNLIMITED);
    if (mixed.length * common.length > this.pairsWorthScoringDirectly(common).pairs) {
      // Each word is one phrase in this expression, so bm25() sums the parts of the words held.
      const scored = [onRareWords, this.statements.ranked.all(mixedExpression, UNLIMITED)];
      const holdingEvery = this.statements.matching.all(allTermsExpression(terms), UNLIMITED);
      return mergeRanked(new Set(holdingEvery), scored, limit);
    }
    const rareParts = new Map(onRareWords.map((row) => [row.rowid, row.score]));
    const commonParts = this.statistics.score(mixed, common);
    const full = mixed.map((rowid) => ({
      rowid,
      score: (rareParts.get(rowid) ?? 0) + (commonParts.get(rowid)?.score ?? 0),
    }));
    // With one rare word, a mixed passage holds every word when it holds every common word.
    const holdingEvery =
      rare.length === 1
        ? mixed.filter((rowid) => commonParts.get(rowid)?.holdsEvery)
        : this.statements.matching.all(allTermsExpression(terms), UNLIMITED);
    return mergeRanked(new Set(holdingEvery), [onRareWords, full], limit);
  }

  private rankCommonTerms(terms: string[], limit: number): Ranked[] {
    const found = this.rankHoldingAll(terms, limit);
    if (found.length >= limit || terms.length < 3) return found;
    const relaxed = terms.map((dropped) =>
      this.rankHoldingAll(
        terms.filter((term) => term !== dropped),
        limit,
      ),
    );
    return mergeRanked(new Set(found.map((row) => row.rowid)), [found, ...relaxed], limit);
  }

  /** Top passages holding every one of `terms`: scored directly when few, else by FTS5. */
  private rankHoldingAll(terms: string[], limit: number): Ranked[] {
    const expression = allTermsExpression(terms);
    const { pairs, expectedPassages } = this.pairsWorthScoringDirectly(terms);
    const fewest = Math.floor(pairs / terms.length);
    // Counting the passages costs an intersection; skip it when they are surely too many.
    if (fewest === 0 || expectedPassages > 3 * fewest) return this.statements.ranked.all(expression, limit);
    const holding = this.statements.matching.all(expression, fewest + 1);
    if (holding.length > fewest) return this.statements.ranked.all(expression, limit);
    const scores = this.statistics.score(holding, terms);
    return mergeRanked(
      new Set(holding),
      [holding.map((rowid) => ({ rowid, score: scores.get(rowid)?.score ?? 0 }))],
      limit,
    );
  }

  /**
   * How many (passage, word) pairs of `terms` to score directly rather than with bm25(). When every
   * word's count is known without a walk, this weighs bm25()'s walk over their posting lists
   * against the direct cost per pair (the two give the same scores), and estimates how many
   * passages hold them all (as if words occurred independently).
   */
  private pairsWorthScoringDirectly(terms: string[]): { pairs: number; expectedPassages: number } {
    if (this.directScoring !== 'auto') {
      return { pairs: this.directScoring === 'off' ? 0 : NO_PAIR_LIMIT, expectedPassages: 0 };
    }
    const fallback = { pairs: PAIRS_SCORED_DIRECTLY_WITHOUT_COUNTS, expectedPassages: 0 };
    const passageCount = this.statistics.passageCount();
    let postings = 0;
    let expectedPassages = passageCount;
    for (const term of terms) {
      const count = this.statistics.cheapCount(term);
      if (count === undefined) return fallback;
      postings += count;
      expectedPassages *= count / Math.max(passageCount, 1);
    }
    const walkPairs = Math.floor((postings * WALK_MICROSECONDS_PER_POSTING) / DIRECT_MICROSECONDS_PER_PAIR);
    return { pairs: Math.min(MAX_PAIRS_SCORED_DIRECTLY, walkPairs), expectedPassages };
  }

  /** The rarest query words whose passages together stay within the rare-word budget. */
  private rarestTerms(terms: string[]): string[] {
    const budget = this.rareWordPassages;
    const counted = terms
      .map((term) => ({ term, count: this.statistics.cappedCount(term, budget + 1) }))
      .filter(({ count }) => count <= budget)
      .sort((a, b) => a.count - b.count);
    const chosen: string[] = [];
    let total = 0;
    for (const { term, count } of counted) {
      if (total + count > budget) break;
      total += count;
      chosen.push(term);
    }
    return chosen;
  }
}
