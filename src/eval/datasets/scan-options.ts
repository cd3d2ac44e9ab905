import type { DatasetRow, DatasetScan } from './dataset-row.js';

/** What every loader's scan accepts. */
export type ScanOptions = {
  /** An earlier scan of the same file to continue from (its rows are kept, reading resumes at its cursor). */
  previous?: DatasetScan;
  /** Asked after each row with the rows so far; true stops reading (for `--limit`). */
  shouldStop?: (rows: readonly DatasetRow[]) => boolean;
  /** Every byte read in order from the cursor on, for the content hash (prefix-scoped formats). */
  onBytes?: (bytes: Buffer) => void;
  /** Folder image file names are relative to (JSONL); default: `images/` beside the file, else its folder. */
  imageDirectory?: string;
};
