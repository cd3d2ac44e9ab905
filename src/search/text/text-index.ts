import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { InputFormatError, UserError } from '../../errors.js';
import type { SearchHit } from '../search-provider.js';
import { excerptAround } from './excerpt.js';
import { mergeRanked, type Ranked } from './merge-ranked.js';
import type { Passage } from './passage.js';
import { allTermsExpression, anyTermExpression, queryTerms } from './query-terms.js';

const SCHEMA_VERSION = '1';
/**
 * BM25 weights for (title, text). Titles are short, so FTS5's per-column BM25 saturates there
 * quickly; a weight of 4 lets the page *about* the query beat a short page that only mentions it.
 */
const TITLE_WEIGHT = 4;
const TEXT_WEIGHT = 1;
/** SQLite's LIMIT for "no limit". */
const UNLIMITED = -1;

export type TextIndexOptions = {
  /** Passages longer than this are cut to a window around the matched words. Default 700. */
  maxSnippetChars?: number;
};

export type TextIndexStats = { passages: number; path: string };

type Row = { id: string; title: string; url: string | null; date: string | null; text: string };

/**
 * FTS5 ranks a passage in ~3-5 µs (a doc-size lookup each), so queries never rank a long posting
 * list: when some query words are rare (together in at most this many passages), only passages
 * holding one of them are candidates.
 */
const RELAXED_RANKING_BUDGET = 500;

/**
 * A SQLite FTS5 BM25 index over passages (porter stemming, diacritics folded). One file; safe to
 * copy. Writes go through `add`, which replaces passages whose id already exists.
 */
export class TextIndex {
  private readonly database: Database.Database;
  private readonly maxSnippetChars: number;
  private readonly statements;

  private constructor(
    database: Database.Database,
    readonly path: string,
    options: TextIndexOptions,
  ) {
    this.database = database;
    this.maxSnippetChars = options.maxSnippetChars ?? 700;
    this.statements = {
      // bm25() sorted by SQLite, not `ORDER BY rank`: the same scores, but FTS5's rank sorter
      // prepares a statement and walks every word's posting list again on each query (2× slower at 1M).
      ranked: database.prepare<[string, number], Ranked>(
        `SELECT rowid, bm25(passages_fts, ${TITLE_WEIGHT}, ${TEXT_WEIGHT}) AS score FROM passages_fts WHERE passages_fts MATCH ? ORDER BY score, rowid LIMIT ?`,
      ),
      matching: database
        .prepare<[string], number>('SELECT rowid FROM passages_fts WHERE passages_fts MATCH ?')
        .pluck(),
      passage: database.prepare<[number], Row>(
        'SELECT id, title, url, date, text FROM passages WHERE rowid = ?',
      ),
      existing: database.prepare<[string], { rowid: number; title: string; text: string }>(
        'SELECT rowid, title, text FROM passages WHERE id = ?',
      ),
      insert: database.prepare<[string, string, string, string | null, string | null]>(
        'INSERT INTO passages (id, title, text, url, date) VALUES (?, ?, ?, ?, ?)',
      ),
      update: database.prepare<[string, string, string | null, string | null, number]>(
        'UPDATE passages SET title = ?, text = ?, url = ?, date = ? WHERE rowid = ?',
      ),
      ftsInsert: database.prepare<[number | bigint, string, string]>(
        'INSERT INTO passages_fts (rowid, title, text) VALUES (?, ?, ?)',
      ),
      ftsDelete: database.prepare<[number, string, string]>(
        "INSERT INTO passages_fts (passages_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)",
      ),
      count: database.prepare<[], { count: number }>('SELECT count(*) AS count FROM passages'),
      // Unranked and capped: stops after the cap, so it costs the same for 'the' as for a rare name.
      cappedDocumentFrequency: database
        .prepare<[string, number]>(
          'SELECT count(*) FROM (SELECT 1 FROM passages_fts WHERE passages_fts MATCH ? LIMIT ?)',
        )
        .pluck(),
    };
  }

  /** Opens an index, creating an empty one when `create` is set and the file does not exist. */
  static open(
    path: string,
    options: TextIndexOptions & { create?: boolean; readonly?: boolean } = {},
  ): TextIndex {
    if (options.create) mkdirSync(dirname(path), { recursive: true });
    let database: Database.Database;
    try {
      database = new Database(path, { readonly: options.readonly ?? false, fileMustExist: !options.create });
    } catch (cause) {
      throw new UserError('index-not-found', `cannot open text index ${path}`, {
        cause,
        hint: 'build one with `deepeyes index build --corpus FILE.jsonl --out INDEX`',
      });
    }
    if (!options.readonly) database.pragma('journal_mode = WAL');
    ensureSchema(database, path, options.create ?? false);
    return new TextIndex(database, path, options);
  }

  /**
   * Adds passages in one transaction per call (callers batch); a passage whose id exists replaces
   * the old one. Returns how many were new.
   */
  add(passages: Iterable<Passage>): number {
    let added = 0;
    const write = this.database.transaction((batch: Iterable<Passage>) => {
      for (const passage of batch) {
        const old = this.statements.existing.get(passage.id);
        if (old) {
          // External-content FTS5 must be told the old column values to remove their postings.
          this.statements.ftsDelete.run(old.rowid, old.title, old.text);
          this.statements.update.run(
            passage.title,
            passage.text,
            passage.url ?? null,
            passage.date ?? null,
            old.rowid,
          );
          this.statements.ftsInsert.run(old.rowid, passage.title, passage.text);
        } else {
          const result = this.statements.insert.run(
            passage.id,
            passage.title,
            passage.text,
            passage.url ?? null,
            passage.date ?? null,
          );
          this.statements.ftsInsert.run(result.lastInsertRowid, passage.title, passage.text);
          added += 1;
        }
      }
    });
    write(passages);
    return added;
  }

  /** Merges FTS5 segments into one b-tree: slower to write, faster to query. Run after a big build. */
  optimize(): void {
    this.database.prepare("INSERT INTO passages_fts (passages_fts) VALUES ('optimize')").run();
    // Fold the WAL back into the file: readers of a freshly optimized index would otherwise look
    // every page up in a WAL as large as the index.
    this.database.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Speeds a bulk build up by not syncing every transaction (a crash mid-build loses the build). */
  setBulkLoading(enabled: boolean): void {
    this.database.pragma(`synchronous = ${enabled ? 'OFF' : 'NORMAL'}`);
  }

  /**
   * BM25 top `limit` passages. Passages holding every query word come first, then passages holding
   * some, all ranked by BM25 over the query words they hold. Kept cheap at a million passages:
   * - with a rare word (see `RELAXED_RANKING_BUDGET`), the candidates are the passages holding a rare
   *   word: one unranked pass finds which hold every word, and two ranked passes over those few
   *   candidates score them (rare words alone; rare and common words together);
   * - with common words only, passages holding every word, then (when fewer than `limit`) passages
   *   holding all words but one. Passages matched only by common words are not returned when too
   *   few hold every word: an OR over words found in most passages is what makes naive BM25 slow,
   *   and such passages rank last.
   */
  search(query: string, limit = 5): SearchHit[] {
    const terms = queryTerms(query);
    if (terms.length === 0 || limit <= 0) return [];
    return this.rank(terms, limit).map((row) => this.toHit(this.statements.passage.get(row.rowid)!, terms));
  }

  private rank(terms: string[], limit: number): Ranked[] {
    const ranked = this.statements.ranked;
    if (terms.length === 1) return ranked.all(allTermsExpression(terms), limit);
    const rare = this.rarestTerms(terms, RELAXED_RANKING_BUDGET);
    if (rare.length === 0) return this.rankCommonTerms(terms, limit);
    const common = terms.filter((term) => !rare.includes(term));
    const anyRare = anyTermExpression(rare);
    const holdingEvery = new Set(this.statements.matching.all(allTermsExpression(terms)));
    const scored = [ranked.all(anyRare, UNLIMITED)];
    // Each word is one phrase here, so BM25 adds the common words a candidate holds to its score;
    // FTS5 still walks each common word's posting list once (for its IDF), which is the main cost.
    if (common.length > 0)
      scored.push(ranked.all(`(${anyRare}) AND (${anyTermExpression(common)})`, UNLIMITED));
    return mergeRanked(holdingEvery, scored, limit);
  }

  /** No word is rare: every word, then all words but one (3+ words), each pass ranked by FTS5. */
  private rankCommonTerms(terms: string[], limit: number): Ranked[] {
    const ranked = this.statements.ranked;
    const found = ranked.all(allTermsExpression(terms), limit);
    if (found.length >= limit || terms.length < 3) return found;
    const relaxed = terms.map((dropped) =>
      ranked.all(allTermsExpression(terms.filter((term) => term !== dropped)), limit),
    );
    return mergeRanked(new Set(found.map((row) => row.rowid)), [found, ...relaxed], limit);
  }

  /** The rarest query words whose passages together stay within `budget` (counts are capped, so cheap). */
  private rarestTerms(terms: string[], budget: number): string[] {
    const counted = terms
      .map((term) => ({
        term,
        count: this.statements.cappedDocumentFrequency.get(allTermsExpression([term]), budget + 1) as number,
      }))
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

  stats(): TextIndexStats {
    return { passages: this.statements.count.get()?.count ?? 0, path: this.path };
  }

  close(): void {
    this.database.close();
  }

  private toHit(row: Row, terms: string[]): SearchHit {
    const snippet = excerptAround(row.text, terms, this.maxSnippetChars);
    return {
      title: row.title,
      link: row.url ?? `passage:${row.id}`,
      snippet,
      ...(row.date ? { date: row.date } : {}),
    };
  }
}

function ensureSchema(database: Database.Database, path: string, create: boolean): void {
  const hasMeta = database
    .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deepeyes_text_index'")
    .get();
  if (hasMeta) {
    const version = database
      .prepare("SELECT value FROM deepeyes_text_index WHERE key = 'schema'")
      .pluck()
      .get();
    if (version !== SCHEMA_VERSION) {
      throw new InputFormatError(
        'index-version',
        `${path} is a text index of schema ${String(version)}, expected ${SCHEMA_VERSION}`,
        {
          hint: 'rebuild it with `deepeyes index build`',
        },
      );
    }
    return;
  }
  if (!create) {
    throw new InputFormatError('index-format', `${path} is not a deepeyes text index`, {
      hint: 'build one with `deepeyes index build --corpus FILE.jsonl --out INDEX`',
    });
  }
  database.exec(`
    CREATE TABLE deepeyes_text_index (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO deepeyes_text_index VALUES ('schema', '${SCHEMA_VERSION}');
    CREATE TABLE passages (
      rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, text TEXT NOT NULL, url TEXT, date TEXT
    );
    CREATE VIRTUAL TABLE passages_fts USING fts5(
      title, text, content = 'passages', content_rowid = 'rowid', tokenize = 'porter unicode61 remove_diacritics 2'
    );
    INSERT INTO passages_fts (passages_fts, rank) VALUES ('rank', 'bm25(${TITLE_WEIGHT}, ${TEXT_WEIGHT})');
  `);
}
