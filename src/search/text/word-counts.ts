import type Database from 'better-sqlite3';

/** The FTS5 tokenizer of `passages_fts`; query words are tokenized with the same one. */
export const TOKENIZER = 'porter unicode61 remove_diacritics 2';

/**
 * Words held by more passages than this get a row in `word_counts`. Rarer words are counted at
 * query time, which is cheap for them (the count stops at a small cap).
 */
export const STORED_WORD_MIN_PASSAGES = 100;

/**
 * `word_counts` (FTS5 token → passages holding it) for the common words of the index. Counting a
 * common word means walking its whole posting list (milliseconds at 1M passages), so the counts are
 * taken once, after a build, in one pass over FTS5's vocabulary. Writes empty the table and drop
 * its marker (see `clearWordCounts`); without the marker words are counted at query time, so the
 * counts are never stale.
 */
export function refreshWordCounts(database: Database.Database, minPassages = STORED_WORD_MIN_PASSAGES): void {
  database.exec(`
    CREATE TABLE IF NOT EXISTS word_counts (term TEXT PRIMARY KEY, passages INTEGER NOT NULL) WITHOUT ROWID;
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.passages_vocabulary USING fts5vocab(main, passages_fts, 'row');
  `);
  database.transaction(() => {
    database.exec('DELETE FROM word_counts');
    database
      .prepare('INSERT INTO word_counts SELECT term, doc FROM temp.passages_vocabulary WHERE doc > ?')
      .run(minPassages);
    database
      .prepare("INSERT OR REPLACE INTO deepeyes_text_index (key, value) VALUES ('word_counts_above', ?)")
      .run(String(minPassages));
  })();
}

/** Empties `word_counts` (inside the caller's write transaction): counts change with any write. */
export function clearWordCounts(database: Database.Database): void {
  if (!hasWordCountsTable(database)) return;
  database.exec(`
    DELETE FROM word_counts;
    DELETE FROM deepeyes_text_index WHERE key = 'word_counts_above';
  `);
}

export type StoredWordCounts = {
  /** Words held by more passages than this are in the table; a missing word is held by fewer. */
  above: number;
  /** Passages holding the FTS5 token, or undefined when it is not in the table. */
  lookup(token: string): number | undefined;
};

/** The index's stored counts, or null when it has none (an older index, or written since). */
export function readWordCounts(database: Database.Database): StoredWordCounts | null {
  if (!hasWordCountsTable(database)) return null;
  const above = database
    .prepare("SELECT value FROM deepeyes_text_index WHERE key = 'word_counts_above'")
    .pluck()
    .get();
  if (typeof above !== 'string') return null;
  const lookup = database
    .prepare<[string], number>('SELECT passages FROM word_counts WHERE term = ?')
    .pluck();
  return { above: Number(above), lookup: (token) => lookup.get(token) };
}

function hasWordCountsTable(database: Database.Database): boolean {
  return (
    database.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'word_counts'").get() !==
    undefined
  );
}

/**
 * Tokenizes query words exactly as FTS5 does for the index (porter stemming, diacritics folded), with
 * a one-row FTS5 table in the connection's in-memory temp schema. Remembers each word's token.
 */
export class WordTokenizer {
  private readonly statements;
  private readonly tokens = new Map<string, string | null>();

  constructor(database: Database.Database) {
    database.exec(`
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_words USING fts5(word, tokenize = '${TOKENIZER}');
      CREATE VIRTUAL TABLE IF NOT EXISTS temp.query_tokens USING fts5vocab(temp, query_words, 'instance');
    `);
    this.statements = {
      insert: database.prepare<[string]>('INSERT INTO temp.query_words (rowid, word) VALUES (1, ?)'),
      tokens: database.prepare<[], { term: string; offset: number }>(
        'SELECT term, offset FROM temp.query_tokens',
      ),
      clear: database.prepare('DELETE FROM temp.query_words'),
    };
  }

  /**
   * Tokenizes the words not seen yet in one FTS5 write (each write costs more than its words):
   * word i is the token at offset i, unless some word is not exactly one token.
   */
  prime(words: readonly string[]): void {
    const unseen = [...new Set(words.filter((word) => !this.tokens.has(word)))];
    if (unseen.length < 2) return;
    const found = this.tokenize(unseen.join(' '));
    if (found.length !== unseen.length || found.some(({ offset }, index) => offset !== index)) return;
    for (const [index, word] of unseen.entries()) this.remember(word, found[index]!.term);
  }

  /** The word's FTS5 token, or null when FTS5 splits it into several tokens or none. */
  token(word: string): string | null {
    let token = this.tokens.get(word);
    if (token === undefined) {
      const found = this.tokenize(word);
      token = found.length === 1 ? found[0]!.term : null;
      this.remember(word, token);
    }
    return token;
  }

  private tokenize(text: string): { term: string; offset: number }[] {
    this.statements.insert.run(text);
    const found = this.statements.tokens.all().sort((a, b) => a.offset - b.offset);
    this.statements.clear.run();
    return found;
  }

  private remember(word: string, token: string | null): void {
    if (this.tokens.size >= 100_000) this.tokens.clear();
    this.tokens.set(word, token);
  }
}
