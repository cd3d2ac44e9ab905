import { join } from 'node:path';
import Database from 'better-sqlite3';

/** Reads a training `metrics.sqlite` (read-only): training runs, their metric keys and curves. */
export class MetricsReader {
  private readonly database: Database.Database;

  constructor(readonly directory: string) {
    this.database = new Database(join(directory, 'metrics.sqlite'), { readonly: true, fileMustExist: true });
    this.database.prepare('SELECT COUNT(*) FROM metrics').get();
  }

  summary() {
    const runs = this.database
      .prepare('SELECT DISTINCT run FROM metrics ORDER BY run')
      .pluck()
      .all() as string[];
    const maxStep = this.database.prepare('SELECT MAX(step) FROM metrics').pluck().get() as number | null;
    return { kind: 'training' as const, trainingRuns: runs, maxStep, status: 'finished' as const };
  }

  /** Every point, by run and key; NULL (NaN in the log) stays null. */
  curves() {
    const points = this.database
      .prepare('SELECT run, key, step, value FROM metrics ORDER BY run, key, step')
      .all() as { run: string; key: string; step: number; value: number | null }[];
    const notes = this.database.prepare('SELECT run, source, note FROM notes ORDER BY rowid').all() as {
      run: string;
      source: string;
      note: string;
    }[];
    return { points, notes };
  }

  close(): void {
    this.database.close();
  }
}
