import type Database from 'better-sqlite3';
import { type IndexFileKind, openIndexFile } from '../index-file.js';
import type { SearchHit } from '../search-provider.js';
import { excerptAround } from './excerpt.js';
import type { Passage } from './passage.js';
import { PassageRanker, type PassageRankerOptions } from './passage-ranker.js';
import { queryTerms } from './query-terms.js';
import { clearWordCounts, readWordCounts, refreshWordCounts, TOKENIZER } from './word-counts.js';

/**
 * BM25 weights for (title, text). Titles are short, so FTS5's per-column BM25 saturates there
 * quickly; a weight of 4 lets the page *about* the query beat a short page that only mentions it.
 */
const TITLE_WEIGHT = 4;
const TEXT_WEIGHT = 1;

const TEXT_INDEX_FILE: IndexFileKind = {
  noun: 'text index',
  article: 'a',
  metaTable: 'deepeyes_text_index',
  schemaVersion: '1',
  schemaSql: `
    CREATE TABLE passages (
      rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, title TEXT NOT NULL, text TEXT NOT NULL, url TEXT, date TEXT
    );
    CREATE VIRTUAL TABLE passages_fts USING fts5(
      title, text, content = 'passages', content_rowid = 'rowid', tokenize = '${TOKENIZER}'
    );
    INSERT INTO passages_fts (passages_fts, rank) VALUES ('rank', 'bm25(${TITLE_WEIGHT}, ${TEXT_WEIGHT})');`,
  buildCommand: 'deepeyes index build --corpus FILE.jsonl --out INDEX',
  rebuildCommand: 'deepeyes index build',
};

export type TextIndexOptions = {
  /** Passages longer than this are cut to a window around the matched words. Default 700. */
  maxSnippetChars?: number;
} & Pick<PassageRankerOptions, 'rareWordPassages' | 'directScoring'>;

export type TextIndexStats = { passages: number; path: string };

type Row = { id: string; title: string; url: string | null; date: string | null; text: string };

/**
 * A SQLite FTS5 BM25 index over passages (porter stemming, diacritics folded). One file; safe to
 * copy. Writes go through `add`, which replaces passages whose id already exists.
 */
export class TextIndex {
  private readonly database: Database.Database;
  private readonly maxSnippetChars: number;
  private readonly statements;
  private readonly ranker: PassageRanker;

  private constructor(
    database: Database.Database,
    readonly path: string,
    options: TextIndexOptions,
  ) {
    this.database = database;
    this.maxSnippetChars = options.maxSnippetChars ?? 700;
    this.ranker = new PassageRanker(database, {
      weights: { title: TITLE_WEIGHT, text: TEXT_WEIGHT },
      ...(options.rareWordPassages === undefined ? {} : { rareWordPassages: options.rareWordPassages }),
      ...(options.directScoring === undefined ? {} : { directScoring: options.directScoring }),
    });
    this.statements = {
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
    };
  }

  /** Opens an index, creating an empty one when `create` is set and the file does not exist. */
  static open(
    path: string,
    options: TextIndexOptions & { create?: boolean; readonly?: boolean } = {},
  ): TextIndex {
    const database = openIndexFile(path, TEXT_INDEX_FILE, options);
    return new TextIndex(database, path, options);
  }

  /**
   * Adds passages in one transaction per call (callers batch); a passage whose id exists replaces
   * the old one (and is reported to `onReplaced`). Returns how many were new.
   */
  add(passages: Iterable<Passage>, onReplaced?: (id: string) => void): number {
    let added = 0;
    const write = this.database.transaction((batch: Iterable<Passage>) => {
      clearWordCounts(this.database);
      for (const passage of batch) {
        const old = this.statements.existing.get(passage.id);
        if (old) {
          onReplaced?.(String(passage.id));
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
    this.ranker.forget();
    return added;
  }

  /** Merges FTS5 segments into one b-tree: slower to write, faster to query. Run after a big build. */
  optimize(): void {
    this.database.prepare("INSERT INTO passages_fts (passages_fts) VALUES ('optimize')").run();
    this.refreshWordCounts();
    // Fold the WAL back into the file: readers of a freshly optimized index would otherwise look
    // every page up in a WAL as large as the index.
    this.database.pragma('wal_checkpoint(TRUNCATE)');
  }

  /**
   * Counts the passages holding each common word (one pass over the FTS5 vocabulary, ~5 s at 1M
   * passages) so queries need not walk posting lists for it. `add` empties the counts; `optimize`
   * and `buildTextIndex` take them again.
   */
  refreshWordCounts(minPassages?: number): void {
    refreshWordCounts(this.database, minPassages);
    this.ranker.forget();
  }

  /** Speeds a bulk build up by not syncing every transaction (a crash mid-build loses the build). */
  setBulkLoading(enabled: boolean): void {
    this.database.pragma(`synchronous = ${enabled ? 'OFF' : 'NORMAL'}`);
  }

  /**
   * BM25 top `limit` passages for a free-text query: passages holding every query word first, then
   * passages holding some (see `PassageRanker` for which, and why that stays fast at 1M passages).
   */
  search(query: string, limit = 5): SearchHit[] {
    const terms = queryTerms(query);
    if (terms.length === 0 || limit <= 0) return [];
    return this.ranker
      .rank(terms, limit)
      .map((row) => this.toHit(this.statements.passage.get(row.rowid)!, terms));
  }

  stats(): TextIndexStats {
    return { passages: this.statements.count.get()?.count ?? 0, path: this.path };
  }

  /** True when common-word counts are stored (see word-counts.ts); false after writes or in older indexes. */
  hasWordCounts(): boolean {
    return readWordCounts(this.database) !== null;
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
