import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { ftsQuery, type SampleFilter, type SampleRow } from './sample-filter.js';
import type { SampleText } from './sample-text.js';

/**
 * What a store reader hands the index for one sample: the grid row, its text (undefined: not read yet, the
 * sample is not searchable until it is), and a change stamp.
 */
export type IndexedSample = { row: SampleRow; text: SampleText | undefined; stamp: string };

const SCHEMA = `
CREATE TABLE IF NOT EXISTS samples (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, stamp TEXT NOT NULL, verdict TEXT NOT NULL,
  category TEXT NOT NULL, capabilities TEXT NOT NULL, tools TEXT NOT NULL, tool_categories TEXT NOT NULL,
  tool_calls INTEGER NOT NULL, turns INTEGER NOT NULL, duration_ms REAL NOT NULL, stop_reason TEXT,
  error_kind TEXT, question TEXT NOT NULL, prediction TEXT, reference TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS samples_position ON samples (position);
CREATE VIRTUAL TABLE IF NOT EXISTS samples_fts USING fts5(
  id UNINDEXED, question, reasoning, code, output, search, answer, tokenize = 'unicode61 remove_diacritics 2'
);
`;

type StoredRow = {
  id: string;
  position: number;
  verdict: SampleRow['verdict'];
  category: string;
  capabilities: string;
  tools: SampleRow['tools'];
  tool_categories: string;
  tool_calls: number;
  turns: number;
  duration_ms: number;
  stop_reason: string | null;
  error_kind: string | null;
  question: string;
  prediction: string | null;
  reference: string;
};

const SORT_COLUMNS: Record<SampleFilter['sort'], string> = {
  position: 'position',
  turns: 'turns',
  duration: 'duration_ms',
  id: 'id',
};

/**
 * The viewer's sidecar index of one run: grid rows and an FTS5 table, in its own SQLite file (in the
 * cache directory, never in the user's store). Readers update it incrementally by change stamp, so a
 * run still being written costs only its new items.
 */
export class SampleIndex {
  private readonly database: Database.Database;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    this.database.pragma('synchronous = OFF');
    this.database.exec(SCHEMA);
  }

  /** Stamps of what the index holds, by sample id. */
  stamps(): Map<string, string> {
    const rows = this.database.prepare('SELECT id, stamp FROM samples').all() as {
      id: string;
      stamp: string;
    }[];
    return new Map(rows.map((row) => [row.id, row.stamp]));
  }

  /** Rows in all, and rows whose stamp does not start with `pendingPrefix` (their text is indexed). */
  textProgress(pendingPrefix: string): { indexed: number; total: number } {
    const counts = this.database
      .prepare('SELECT COUNT(*) AS total, SUM(stamp NOT LIKE @prefix) AS indexed FROM samples')
      .get({ prefix: `${pendingPrefix}%` }) as { total: number; indexed: number | null };
    return { indexed: counts.indexed ?? 0, total: counts.total };
  }

  /** Inserts or replaces samples and drops ids no longer in the store, in one transaction. */
  update(samples: readonly IndexedSample[], removedIds: readonly string[] = []): void {
    const upsert = this.database.prepare(
      `INSERT OR REPLACE INTO samples (id, position, stamp, verdict, category, capabilities, tools, tool_categories,
         tool_calls, turns, duration_ms, stop_reason, error_kind, question, prediction, reference)
       VALUES (@id, @position, @stamp, @verdict, @category, @capabilities, @tools, @toolCategories, @toolCalls,
         @turns, @durationMs, @stopReason, @errorKind, @question, @prediction, @reference)`,
    );
    const deleteText = this.database.prepare('DELETE FROM samples_fts WHERE id = ?');
    const deleteRow = this.database.prepare('DELETE FROM samples WHERE id = ?');
    const insertText = this.database.prepare(
      'INSERT INTO samples_fts (id, question, reasoning, code, output, search, answer) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.database.transaction(() => {
      for (const id of removedIds) {
        deleteRow.run(id);
        deleteText.run(id);
      }
      for (const { row, text, stamp } of samples) {
        upsert.run({ ...row, stamp, toolCategories: ` ${row.toolCategories.join(' ')} ` });
        deleteText.run(row.id);
        if (text === undefined) continue;
        insertText.run(
          row.id,
          text.question,
          text.reasoning,
          text.code,
          text.output,
          text.search,
          text.answer,
        );
      }
    })();
  }

  /** One page of rows matching `filter`, and how many match in all. */
  query(filter: SampleFilter, page: { offset: number; limit: number }): { total: number; rows: SampleRow[] } {
    const { where, parameters } = whereClause(filter);
    const total = this.database
      .prepare(`SELECT COUNT(*) FROM samples ${where}`)
      .pluck()
      .get(parameters) as number;
    const order = `${SORT_COLUMNS[filter.sort]} ${filter.order === 'desc' ? 'DESC' : 'ASC'}, position ASC`;
    const rows = this.database
      .prepare(`SELECT * FROM samples ${where} ORDER BY ${order} LIMIT @limit OFFSET @offset`)
      .all({ ...parameters, ...page }) as StoredRow[];
    return { total, rows: rows.map(toSampleRow) };
  }

  /** The ids before and after `id` in the filtered order (for previous / next in the trajectory view). */
  neighbours(
    filter: SampleFilter,
    id: string,
  ): { previous: string | null; next: string | null; index: number } {
    const { where, parameters } = whereClause(filter);
    const order = `${SORT_COLUMNS[filter.sort]} ${filter.order === 'desc' ? 'DESC' : 'ASC'}, position ASC`;
    const row = this.database
      .prepare(
        `SELECT previous, next, number FROM (
           SELECT id, LAG(id) OVER w AS previous, LEAD(id) OVER w AS next, ROW_NUMBER() OVER w AS number
           FROM samples ${where} WINDOW w AS (ORDER BY ${order})
         ) WHERE id = @target`,
      )
      .get({ ...parameters, target: id }) as
      | { previous: string | null; next: string | null; number: number }
      | undefined;
    return row
      ? { previous: row.previous, next: row.next, index: row.number - 1 }
      : { previous: null, next: null, index: -1 };
  }

  /** Distinct values for the filter menus. */
  facets(): { categories: string[]; stopReasons: string[]; errorKinds: string[]; maxTurns: number } {
    const distinct = (column: string) =>
      this.database
        .prepare(`SELECT DISTINCT ${column} FROM samples WHERE ${column} IS NOT NULL ORDER BY 1`)
        .pluck()
        .all() as string[];
    return {
      categories: distinct('category'),
      stopReasons: distinct('stop_reason'),
      errorKinds: distinct('error_kind'),
      maxTurns: (this.database.prepare('SELECT MAX(turns) FROM samples').pluck().get() as number | null) ?? 0,
    };
  }

  row(id: string): SampleRow | undefined {
    const row = this.database.prepare('SELECT * FROM samples WHERE id = ?').get(id) as StoredRow | undefined;
    return row ? toSampleRow(row) : undefined;
  }

  /** Every row in dataset order (for comparisons and bundles). */
  allRows(): SampleRow[] {
    return (this.database.prepare('SELECT * FROM samples ORDER BY position').all() as StoredRow[]).map(
      toSampleRow,
    );
  }

  /** The searchable text of every sample, by id (for static bundles, which search in the browser). */
  allText(): Map<string, string> {
    const rows = this.database
      .prepare('SELECT id, question, reasoning, code, output, search, answer FROM samples_fts')
      .all() as Record<string, string>[];
    return new Map(
      rows.map((row) => [
        row.id ?? '',
        [row.question, row.reasoning, row.code, row.output, row.search, row.answer].join('\n'),
      ]),
    );
  }

  close(): void {
    this.database.close();
  }
}

function whereClause(filter: SampleFilter): { where: string; parameters: Record<string, unknown> } {
  const conditions: string[] = [];
  const parameters: Record<string, unknown> = {};
  const equal = (column: string, key: keyof SampleFilter) => {
    if (filter[key] === undefined) return;
    conditions.push(`${column} = @${key}`);
    parameters[key] = filter[key];
  };
  equal('verdict', 'verdict');
  equal('error_kind', 'errorKind');
  equal('category', 'category');
  equal('tools', 'tools');
  equal('stop_reason', 'stopReason');
  if (filter.capability === 'integration') {
    conditions.push(`capabilities = 'perception+search+reason'`);
  } else if (filter.capability) {
    conditions.push(`('+' || capabilities || '+') LIKE @capability`);
    parameters.capability = `%+${filter.capability}+%`;
  }
  if (filter.toolCategory) {
    conditions.push('tool_categories LIKE @toolCategory');
    parameters.toolCategory = `% ${filter.toolCategory} %`;
  }
  if (filter.turnsMin !== undefined) {
    conditions.push('turns >= @turnsMin');
    parameters.turnsMin = filter.turnsMin;
  }
  if (filter.turnsMax !== undefined) {
    conditions.push('turns <= @turnsMax');
    parameters.turnsMax = filter.turnsMax;
  }
  const match = filter.q === undefined ? undefined : ftsQuery(filter.q);
  if (match) {
    conditions.push('id IN (SELECT id FROM samples_fts WHERE samples_fts MATCH @match)');
    parameters.match = match;
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', parameters };
}

function toSampleRow(row: StoredRow): SampleRow {
  return {
    id: row.id,
    position: row.position,
    verdict: row.verdict,
    category: row.category,
    capabilities: row.capabilities,
    question: row.question,
    prediction: row.prediction,
    reference: row.reference,
    tools: row.tools,
    toolCategories: row.tool_categories.trim().split(' ').filter(Boolean),
    toolCalls: row.tool_calls,
    turns: row.turns,
    durationMs: row.duration_ms,
    stopReason: row.stop_reason,
    errorKind: row.error_kind,
  };
}
