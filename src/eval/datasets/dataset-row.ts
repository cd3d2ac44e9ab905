/**
 * What every loader produces: raw rows with their fields and image sources, plus the rows it could
 * not read. The benchmark registry turns rows into `EvalItem`s.
 */

/** An image as found in the data: bytes already decoded, or a file path to read later. */
export type ImageSource = { kind: 'bytes'; bytes: Uint8Array } | { kind: 'file'; path: string };

export type DatasetRow = {
  /** 0-based position in the file (data rows only; header lines are not counted). */
  rowNumber: number;
  fields: Record<string, unknown>;
  images: ImageSource[];
};

/** A row that was skipped, with a reason a user can act on. */
export type BadRow = { rowNumber: number; id?: string; reason: string };

export type LoadedDataset = {
  format: DatasetFormat;
  path: string;
  rows: DatasetRow[];
  badRows: BadRow[];
};

export const DATASET_FORMATS = ['vlmevalkit-tsv', 'hf-parquet', 'jsonl'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];
