/**
 * What every loader produces: rows with their (small) fields and references to their images, plus
 * the rows it could not read. Images are references, not bytes: a row of a 10 GB TSV costs a few
 * hundred bytes until its item runs and `readImageSource` decodes them. The benchmark registry turns
 * rows into `EvalItem`s.
 */

/** Where an image is; every kind but `bytes` is read only when its item runs (`read-image-source.ts`). */
export type ImageSource =
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'file'; path: string }
  /** A TSV cell at [start, end) of `path`: base64 (maybe pandas-quoted), or a Python list literal
   * of base64 strings (multi-image items), which yields every element. */
  | { kind: 'tsv-cell'; path: string; start: number; end: number }
  /** Inline base64 in field `field` of the JSON line at [start, end) of `path` (element `element`
   * when the field is a list). */
  | { kind: 'json-line'; path: string; start: number; end: number; field: string; element?: number }
  /** Row `row` (0-based over the whole file), column `column` of a parquet file: bytes, a
   * `struct<bytes, path>`, or a list of them (`element`). */
  | { kind: 'parquet'; path: string; row: number; column: string; element?: number };

export type DatasetRow = {
  /** 0-based position in the file (data rows only; header lines are not counted). */
  rowNumber: number;
  /** 1-based line where the row starts (text formats). */
  line?: number;
  fields: Record<string, unknown>;
  images: ImageSource[];
};

/** A row that was skipped, with a reason a user can act on. */
export type BadRow = { rowNumber: number; id?: string; line?: number; reason: string };

export const DATASET_FORMATS = ['vlmevalkit-tsv', 'hf-parquet', 'jsonl'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/**
 * How far a scan got, so a later scan (a resumed run wanting more items) continues instead of
 * starting over: a byte offset and line for the text formats, a row number for parquet.
 */
export type ScanCursor = { offset: number; line: number; rowNumber: number };

/** Rows read so far from one data file, and where reading stopped. */
export type DatasetScan = {
  format: DatasetFormat;
  path: string;
  rows: DatasetRow[];
  badRows: BadRow[];
  /** Column names (TSV header, parquet schema), when the format has them. */
  columns?: string[];
  cursor: ScanCursor;
  /** True when the whole file has been read. */
  complete: boolean;
  /** What a content hash of the scan covers: the bytes before `cursor.offset` (text read in
   * order), or the whole file (parquet, a JSON array). */
  fingerprintScope: 'prefix' | 'whole';
};

/** Fields holding the reference answer, in the order the registry reads them. */
export const ANSWER_FIELDS = ['answer', 'gt_answer', 'ground_truth'] as const;
