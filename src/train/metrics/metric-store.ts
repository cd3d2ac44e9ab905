import Database from 'better-sqlite3';
import type { MetricPoint } from './parse-training-log.js';

/**
 * One SQLite table of training metrics, read by `train metrics` reports and the web viewer:
 *
 *   metrics(run TEXT, source TEXT, step INTEGER, key TEXT, value REAL, PRIMARY KEY (run, source, key, step))
 *   notes(run TEXT, source TEXT, note TEXT)
 *
 * `run` names the training run, `source` the file or job read (re-reading a source replaces its
 * rows, so following a growing log is idempotent), `key` the trainer's own metric name
 * (`critic/score/mean`, `loss`, `rollout/tool_calls/std`, `eval/<bench>/accuracy`). NaN is stored as NULL.
 */
export type StoredPoint = MetricPoint & { run: string; source: string };

export class MetricStore {
  private readonly database: Database.Database;

  constructor(path: string) {
    this.database = new Database(path);
    this.database.pragma('journal_mode = WAL');
    this.database.exec(`
      CREATE TABLE IF NOT EXISTS metrics (
        run TEXT NOT NULL, source TEXT NOT NULL, step INTEGER NOT NULL, key TEXT NOT NULL, value REAL,
        PRIMARY KEY (run, source, key, step)
      );
      CREATE INDEX IF NOT EXISTS metrics_by_key ON metrics (run, key, step);
      CREATE TABLE IF NOT EXISTS notes (run TEXT NOT NULL, source TEXT NOT NULL, note TEXT NOT NULL);
    `);
  }

  /** Replaces what `source` of `run` held with `points` and `notes`, in one transaction. */
  replaceSource(run: string, source: string, points: MetricPoint[], notes: string[]): void {
    const remove = this.database.prepare('DELETE FROM metrics WHERE run = ? AND source = ?');
    const removeNotes = this.database.prepare('DELETE FROM notes WHERE run = ? AND source = ?');
    const insert = this.database.prepare(
      'INSERT OR REPLACE INTO metrics (run, source, step, key, value) VALUES (?, ?, ?, ?, ?)',
    );
    const insertNote = this.database.prepare('INSERT INTO notes (run, source, note) VALUES (?, ?, ?)');
    this.database.transaction(() => {
      remove.run(run, source);
      removeNotes.run(run, source);
      for (const point of points)
        insert.run(run, source, point.step, point.key, Number.isNaN(point.value) ? null : point.value);
      for (const note of notes) insertNote.run(run, source, note);
    })();
  }

  points(run?: string): StoredPoint[] {
    const rows = this.database
      .prepare(
        `SELECT run, source, step, key, value FROM metrics ${run ? 'WHERE run = ?' : ''} ORDER BY run, key, step`,
      )
      .all(...(run ? [run] : [])) as (Omit<StoredPoint, 'value'> & { value: number | null })[];
    return rows.map((row) => ({ ...row, value: row.value ?? Number.NaN }));
  }

  notes(run?: string): { run: string; source: string; note: string }[] {
    return this.database
      .prepare(`SELECT run, source, note FROM notes ${run ? 'WHERE run = ?' : ''} ORDER BY rowid`)
      .all(...(run ? [run] : [])) as { run: string; source: string; note: string }[];
  }

  close(): void {
    this.database.close();
  }
}
