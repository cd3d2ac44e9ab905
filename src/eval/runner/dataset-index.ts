import type Database from 'better-sqlite3';
import { z } from 'zod';
import { type BadRow, DATASET_FORMATS, type DatasetRow, type DatasetScan } from '../datasets/dataset-row.js';
import type { DataFingerprint } from '../datasets/file-fingerprint.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS dataset_rows (row_number INTEGER PRIMARY KEY, bad INTEGER NOT NULL, value TEXT NOT NULL);
`;

const scanMetaSchema = z.object({
  format: z.enum(DATASET_FORMATS),
  path: z.string(),
  columns: z.array(z.string()).optional(),
  cursor: z.object({ offset: z.number(), line: z.number(), rowNumber: z.number() }),
  complete: z.boolean(),
  fingerprintScope: z.enum(['prefix', 'whole']),
  fingerprint: z.object({ bytes: z.number(), sha256: z.string() }),
});

/**
 * The data file's row index, kept in the run store beside the results: row fields and where each
 * row's images are (byte ranges, parquet rows), how far the file was read, and the content hash of
 * what was read. `eval --resume` checks the hash and continues from here instead of re-reading a
 * multi-GB file.
 */
export class DatasetIndex {
  constructor(private readonly database: Database.Database) {
    database.exec(SCHEMA);
  }

  /** The stored scan and the fingerprint of the bytes it covers, if the run has one. */
  load(): { scan: DatasetScan; fingerprint: DataFingerprint } | undefined {
    const row = this.database.prepare('SELECT value FROM run WHERE key = ?').get('dataset') as
      | { value: string }
      | undefined;
    if (!row) return undefined;
    const { fingerprint, ...meta } = scanMetaSchema.parse(JSON.parse(row.value));
    const rows: DatasetRow[] = [];
    const badRows: BadRow[] = [];
    const stored = this.database.prepare('SELECT bad, value FROM dataset_rows ORDER BY row_number').all() as {
      bad: number;
      value: string;
    }[];
    for (const entry of stored) {
      const value = JSON.parse(entry.value, reviveBytes) as DatasetRow & BadRow;
      if (entry.bad) badRows.push(value);
      else rows.push(value);
    }
    return { scan: { ...meta, rows, badRows }, fingerprint };
  }

  /** Stores the scan (rows from `fromRow` on are new) with the fingerprint of what it read. */
  save(scan: DatasetScan, fingerprint: DataFingerprint, fromRow = 0): void {
    const insert = this.database.prepare(
      'INSERT OR REPLACE INTO dataset_rows (row_number, bad, value) VALUES (?, ?, ?)',
    );
    const { rows, badRows, ...meta } = scan;
    this.database.transaction(() => {
      for (const row of rows)
        if (row.rowNumber >= fromRow) insert.run(row.rowNumber, 0, JSON.stringify(row, replaceBytes));
      for (const row of badRows)
        if (row.rowNumber >= fromRow) insert.run(row.rowNumber, 1, JSON.stringify(row));
      this.database
        .prepare('INSERT OR REPLACE INTO run (key, value) VALUES (?, ?)')
        .run('dataset', JSON.stringify({ ...meta, fingerprint }));
    })();
  }
}

/** Inline image bytes (JSON arrays with base64 images) are stored as base64. */
function replaceBytes(_key: string, value: unknown): unknown {
  return value instanceof Uint8Array ? { $bytes: Buffer.from(value).toString('base64') } : value;
}

function reviveBytes(_key: string, value: unknown): unknown {
  if (typeof value === 'object' && value !== null && '$bytes' in value) {
    return new Uint8Array(Buffer.from(String((value as { $bytes: unknown }).$bytes), 'base64'));
  }
  return value;
}
