import { stat } from 'node:fs/promises';
import { InputFormatError } from '../../errors.js';
import {
  ANSWER_FIELDS,
  type BadRow,
  type DatasetRow,
  type DatasetScan,
  type ImageSource,
} from './dataset-row.js';
import { imageBytes } from './read-image-source.js';
import type { ScanOptions } from './scan-options.js';
import { sniffImageType } from './sniff-image.js';

/** Columns holding images in Hugging Face exports (`datasets` writes `struct<bytes, path>`). */
const IMAGE_COLUMNS = ['image', 'images', 'decoded_image', 'image_1', 'image_2', 'image_3', 'image_4'];

/**
 * A Hugging Face parquet file: images as `struct<bytes, path>` (or a list of them, or raw bytes),
 * other columns as plain values. Read one row group at a time with `utf8: false` so image bytes
 * stay bytes (and are dropped after their signature is checked; the item reads them again when it
 * runs); 64-bit integers become numbers.
 */
export async function scanHfParquet(path: string, options: ScanOptions = {}): Promise<DatasetScan> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } = await import(
    'hyparquet'
  );
  const { compressors } = await import('hyparquet-compressors');
  const unreadable = (error: unknown) =>
    new InputFormatError('parquet-unreadable', `${path} is not a readable parquet file`, {
      cause: error,
      hint: 'export the split with datasets: ds.to_parquet("split.parquet")',
    });
  let file: Awaited<ReturnType<typeof asyncBufferFromFile>>;
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    if ((await stat(path)).isDirectory()) throw new Error('it is a directory');
    file = await asyncBufferFromFile(path);
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    throw unreadable(error);
  }
  const columns = parquetSchema(metadata).children.map((child) => child.element.name);
  if (!ANSWER_FIELDS.some((field) => columns.includes(field))) {
    throw new InputFormatError(
      'parquet-no-answer',
      `${path} has no answer column (columns: ${columns.join(', ')}), so no item could be scored`,
      { hint: 'evaluation needs the reference answers: use a split that has them' },
    );
  }
  const imageColumns = columns.filter((column) => IMAGE_COLUMNS.includes(column));
  const previous = options.previous;
  const rows: DatasetRow[] = previous ? [...previous.rows] : [];
  const badRows: BadRow[] = previous ? [...previous.badRows] : [];
  let rowNumber = previous?.cursor.rowNumber ?? 0;
  const total = Number(metadata.num_rows);
  let groupStart = 0;
  let stopped = false;
  for (const group of metadata.row_groups) {
    const groupEnd = groupStart + Number(group.num_rows);
    const rowStart = Math.max(groupStart, rowNumber);
    groupStart = groupEnd;
    if (rowStart >= groupEnd) continue;
    let records: Record<string, unknown>[];
    try {
      records = (await parquetReadObjects({
        file,
        metadata,
        compressors,
        utf8: false,
        rowStart,
        rowEnd: groupEnd,
      })) as Record<string, unknown>[];
    } catch (error) {
      throw unreadable(error);
    }
    for (const record of records) {
      addRecord(record, rowNumber++);
      if (options.shouldStop?.(rows)) {
        stopped = rowNumber < total;
        break;
      }
    }
    if (stopped) break;
  }
  return {
    format: 'hf-parquet',
    path,
    rows,
    badRows,
    columns,
    cursor: { offset: 0, line: 0, rowNumber },
    complete: !stopped,
    fingerprintScope: 'whole',
  };

  function addRecord(record: Record<string, unknown>, row: number): void {
    const fields: Record<string, unknown> = {};
    const images: ImageSource[] = [];
    let problem: string | undefined;
    for (const [column, value] of Object.entries(record)) {
      if (imageColumns.includes(column)) {
        if (value === null || value === undefined) continue;
        const found = collectImages(value, path, row, column);
        if (typeof found === 'string') problem ??= `column ${column}: ${found}`;
        else images.push(...found);
        continue;
      }
      const plain = toPlain(value);
      if (plain !== undefined) fields[column] = plain;
    }
    if (!problem && imageColumns.length > 0 && images.length === 0)
      problem = `image cell is empty (${imageColumns.join(', ')})`;
    const id = fields.id ?? fields.index ?? fields.pid;
    if (problem)
      badRows.push({ rowNumber: row, ...(id === undefined ? {} : { id: String(id) }), reason: problem });
    else rows.push({ rowNumber: row, fields, images });
  }
}

function collectImages(value: unknown, path: string, row: number, column: string): ImageSource[] | string {
  const list = Array.isArray(value) ? value : [value];
  const sources: ImageSource[] = [];
  for (const [element, entry] of list.entries()) {
    const bytes = imageBytes(entry);
    if (!bytes) return 'image struct has no bytes';
    if (!sniffImageType(bytes)) return 'image bytes are not a PNG/JPEG/GIF/WebP/BMP/TIFF image';
    sources.push({ kind: 'parquet', path, row, column, ...(Array.isArray(value) ? { element } : {}) });
  }
  return sources;
}

/** Numbers, strings, booleans and lists of them; bytes and nested structs are not question fields. */
function toPlain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return undefined;
  if (Array.isArray(value)) return value.map(toPlain);
  if (value === null) return undefined;
  return value;
}
