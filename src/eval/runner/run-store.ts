import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import type { BadRow } from '../datasets/dataset-row.js';
import type { EvalItem } from '../eval-item.js';
import { DEFAULT_MCQ_FALLBACK, mcqFallbackSchema } from '../scoring/vlmevalkit/mcq-fallback.js';
import { DatasetIndex } from './dataset-index.js';

/** What makes two runs the same run: `--resume` refuses a store made with different values. */
export const runConfigSchema = z.object({
  benchmark: z.string(),
  dataPath: z.string(),
  models: z.array(z.string()),
  mode: z.enum(['agent', 'code', 'think', 'direct']),
  seed: z.number().int(),
  shuffleOptions: z.boolean(),
  judge: z.string().nullable(),
  /** Scoring mode and judge model that produced the run's verdicts (absent in runs from before modes). */
  scoring: z
    .object({
      mode: z.enum(['vlmevalkit', 'deepeyes']),
      judge: z.string().nullable(),
      /** Multiple choice with no readable option (vlmevalkit mode); read as random, seed 0 when absent. */
      mcqFallback: mcqFallbackSchema.optional(),
    })
    .optional(),
  /** Anything else the agent factory wants pinned (profile, budgets, search provider …). */
  extra: z.record(z.string(), z.unknown()).default({}),
});
export type RunConfig = z.infer<typeof runConfigSchema>;

export type ItemStatus = 'pending' | 'done' | 'error';

export const itemResultSchema = z.object({
  status: z.enum(['done', 'error']),
  prediction: z.string().nullable(),
  correct: z.boolean().nullable(),
  /** Verifier and judge details, stored as JSON. */
  score: z.record(z.string(), z.unknown()).nullable(),
  error: z.string().nullable(),
  /** model, sandbox, judge, judge-unknown, … */
  errorKind: z.string().nullable(),
  attempts: z.number().int(),
  /** Relative to the run directory. */
  trajectoryPath: z.string().nullable(),
  toolCalls: z.number().int(),
  /** Tool category → calls, see `classifyToolCall`. */
  toolMix: z.record(z.string(), z.number()),
  turns: z.number().int(),
  durationMs: z.number(),
  stopReason: z.string().nullable(),
});
export type ItemResult = z.infer<typeof itemResultSchema>;

/** An `items` row as SQLite returns it (the viewer's reader reads the same table read-only). */
export type StoredItemRow = {
  id: string;
  position: number;
  row_number: number;
  benchmark: string;
  category: string;
  groups: string;
  question: string;
  reference: string;
  status: ItemStatus;
  /** JSON of the scored result, once finished. */
  result: string | null;
  finished_at: string | null;
};

/**
 * A stored item row as the run store hands it out. `tolerant` (the viewer, reading a run another process
 * may be writing) leaves out a result that does not parse instead of throwing.
 */
export function decodeItemRow(row: StoredItemRow, options: { tolerant?: boolean } = {}): StoredItem {
  const raw = row.result ? JSON.parse(row.result) : undefined;
  let result: ItemResult | undefined;
  if (raw !== undefined) {
    if (!options.tolerant) result = itemResultSchema.parse(raw);
    else {
      const parsed = itemResultSchema.safeParse(raw);
      if (parsed.success) result = parsed.data;
    }
  }
  return {
    id: row.id,
    rowNumber: row.row_number,
    benchmark: row.benchmark,
    category: row.category,
    groups: JSON.parse(row.groups) as Record<string, string>,
    question: row.question,
    reference: row.reference,
    ...(result ?? {}),
    status: row.status,
  };
}

export type StoredItem = {
  id: string;
  rowNumber: number;
  benchmark: string;
  category: string;
  groups: Record<string, string>;
  question: string;
  reference: string;
  status: ItemStatus;
} & Omit<Partial<ItemResult>, 'status'>;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS run (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
  id TEXT PRIMARY KEY, position INTEGER NOT NULL, row_number INTEGER NOT NULL, benchmark TEXT NOT NULL,
  category TEXT NOT NULL, groups TEXT NOT NULL, question TEXT NOT NULL, reference TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending', 'done', 'error')),
  result TEXT, finished_at TEXT
);
CREATE TABLE IF NOT EXISTS bad_rows (row_number INTEGER PRIMARY KEY, item_id TEXT, reason TEXT NOT NULL);
`;

/**
 * The run directory's SQLite store (WAL). Every item is one row, written in one transaction when it
 * finishes, so a run killed at any moment resumes with nothing lost and nothing counted twice.
 */
export class RunStore {
  readonly path: string;
  private readonly database: Database.Database;

  private constructor(directory: string) {
    mkdirSync(directory, { recursive: true });
    this.path = join(directory, 'run.sqlite');
    this.database = new Database(this.path);
    this.database.pragma('journal_mode = WAL');
    this.database.pragma('synchronous = NORMAL');
    this.database.exec(SCHEMA);
    // Stores made before bad rows carried their line.
    const badRowColumns = this.database.pragma('table_info(bad_rows)') as { name: string }[];
    if (!badRowColumns.some((column) => column.name === 'line'))
      this.database.exec('ALTER TABLE bad_rows ADD COLUMN line INTEGER');
  }

  /** The data file's row index and content hash, kept with the run (see `DatasetIndex`). */
  datasetIndex(): DatasetIndex {
    return new DatasetIndex(this.database);
  }

  /**
   * Opens DIR's store. A new store records `config`; an existing one needs `resume` and the same
   * config, so results of two different runs never mix.
   */
  static open(directory: string, config: RunConfig, options: { resume: boolean }): RunStore {
    const store = new RunStore(directory);
    const existing = store.config();
    if (existing === undefined) {
      store.database
        .prepare('INSERT INTO run (key, value) VALUES (?, ?)')
        .run('config', JSON.stringify(config));
      store.database
        .prepare('INSERT INTO run (key, value) VALUES (?, ?)')
        .run('created_at', new Date().toISOString());
      return store;
    }
    if (!options.resume) {
      store.close();
      throw new UserError('run-exists', `${directory} already holds a run`, {
        hint: 'add --resume to continue it, or choose another --out directory',
      });
    }
    const differences = Object.keys(config).filter(
      (key) =>
        JSON.stringify(config[key as keyof RunConfig]) !== JSON.stringify(existing[key as keyof RunConfig]),
    );
    if (differences.length > 0) {
      store.close();
      throw new UserError(
        'resume-config-differs',
        `Cannot resume ${directory}: ${differences.join(', ')} differ`,
        {
          hint: 'resume with the same --bench, --data, --model, --mode, --option-seed, --judge and agent flags, or use a new --out',
        },
      );
    }
    return store;
  }

  /** Whether DIR already holds a run store. */
  static exists(directory: string): boolean {
    return existsSync(join(directory, 'run.sqlite'));
  }

  /** Opens the store of an existing run (for reports); never creates one. */
  static openExisting(directory: string): RunStore {
    if (!existsSync(join(directory, 'run.sqlite'))) {
      throw new UserError('not-a-run', `${directory} holds no evaluation run (no run.sqlite)`, {
        hint: 'pass the --out of a deepeyes eval run',
      });
    }
    const store = new RunStore(directory);
    if (store.config() === undefined) {
      store.close();
      throw new UserError('not-a-run', `${directory} holds no evaluation run`, {
        hint: 'pass the --out of a deepeyes eval run',
      });
    }
    return store;
  }

  config(): RunConfig | undefined {
    const row = this.database.prepare('SELECT value FROM run WHERE key = ?').get('config') as
      | { value: string }
      | undefined;
    if (!row) return undefined;
    const config = runConfigSchema.parse(JSON.parse(row.value));
    // Runs from before the fallback was recorded read as the default, so they resume and re-score.
    if (config.scoring && !config.scoring.mcqFallback)
      config.scoring = { ...config.scoring, mcqFallback: DEFAULT_MCQ_FALLBACK };
    return config;
  }

  createdAt(): string | undefined {
    const row = this.database.prepare('SELECT value FROM run WHERE key = ?').get('created_at') as
      | { value: string }
      | undefined;
    return row?.value;
  }

  /** Registers items as pending (existing rows keep their status) and records bad rows. */
  addItems(items: readonly EvalItem[], badRows: readonly BadRow[] = []): void {
    const insert = this.database.prepare(
      `INSERT OR IGNORE INTO items (id, position, row_number, benchmark, category, groups, question, reference, status)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending')`,
    );
    const insertBad = this.database.prepare(
      'INSERT OR REPLACE INTO bad_rows (row_number, item_id, reason, line) VALUES (?, ?, ?, ?)',
    );
    this.database.transaction(() => {
      items.forEach((item, position) => {
        insert.run(
          item.id,
          position,
          item.rowNumber,
          item.benchmark,
          item.category,
          JSON.stringify(item.groups),
          item.question,
          item.answer,
        );
      });
      for (const row of badRows) insertBad.run(row.rowNumber, row.id ?? null, row.reason, row.line ?? null);
    })();
  }

  /** Ids whose status is in `statuses`, in dataset order. */
  idsWithStatus(statuses: readonly ItemStatus[]): string[] {
    const placeholders = statuses.map(() => '?').join(', ');
    const rows = this.database
      .prepare(`SELECT id FROM items WHERE status IN (${placeholders}) ORDER BY position`)
      .all(...statuses) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** Writes one finished item in one transaction. */
  recordResult(id: string, result: ItemResult): void {
    const checked = itemResultSchema.parse(result);
    const info = this.database
      .prepare('UPDATE items SET status = ?, result = ?, finished_at = ? WHERE id = ?')
      .run(checked.status, JSON.stringify(checked), new Date().toISOString(), id);
    if (info.changes !== 1) throw new Error(`item ${id} is not in the run store`);
  }

  items(): StoredItem[] {
    const rows = this.database.prepare('SELECT * FROM items ORDER BY position').all() as StoredItemRow[];
    return rows.map((row) => decodeItemRow(row));
  }

  badRows(): BadRow[] {
    const rows = this.database.prepare('SELECT * FROM bad_rows ORDER BY row_number').all() as {
      row_number: number;
      item_id: string | null;
      reason: string;
      line: number | null;
    }[];
    return rows.map((row) => ({
      rowNumber: row.row_number,
      ...(row.item_id ? { id: row.item_id } : {}),
      ...(row.line === null ? {} : { line: row.line }),
      reason: row.reason,
    }));
  }

  close(): void {
    this.database.close();
  }
}
