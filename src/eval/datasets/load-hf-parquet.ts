import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { InputFormatError } from '../../errors.js';
import type { BadRow, DatasetRow, ImageSource, LoadedDataset } from './dataset-row.js';
import { sniffImageType } from './sniff-image.js';

/** Columns holding images in Hugging Face exports (`datasets` writes `struct<bytes, path>`). */
const IMAGE_COLUMNS = ['image', 'images', 'decoded_image', 'image_1', 'image_2', 'image_3', 'image_4'];

/**
 * A Hugging Face parquet file: images as `struct<bytes, path>` (or a list of them, or raw bytes),
 * other columns as plain values. Read with `utf8: false` so image bytes stay bytes; 64-bit integers
 * become numbers.
 */
export async function loadHfParquet(path: string): Promise<LoadedDataset> {
  let records: Record<string, unknown>[];
  try {
    const file = await asyncBufferFromFile(path);
    records = (await parquetReadObjects({ file, compressors, utf8: false })) as Record<string, unknown>[];
  } catch (error) {
    throw new InputFormatError('parquet-unreadable', `${path} is not a readable parquet file`, {
      cause: error,
      hint: 'export the split with datasets: ds.to_parquet("split.parquet")',
    });
  }
  const rows: DatasetRow[] = [];
  const badRows: BadRow[] = [];
  records.forEach((record, rowNumber) => {
    const fields: Record<string, unknown> = {};
    const images: ImageSource[] = [];
    let problem: string | undefined;
    for (const [column, value] of Object.entries(record)) {
      if (IMAGE_COLUMNS.includes(column)) {
        if (value === null || value === undefined) continue;
        const found = collectImages(value);
        if (typeof found === 'string') problem ??= `column ${column}: ${found}`;
        else images.push(...found);
        continue;
      }
      const plain = toPlain(value);
      if (plain !== undefined) fields[column] = plain;
    }
    const id = fields.id ?? fields.index ?? fields.pid;
    if (problem)
      badRows.push({ rowNumber, ...(id === undefined ? {} : { id: String(id) }), reason: problem });
    else rows.push({ rowNumber, fields, images });
  });
  return { format: 'hf-parquet', path, rows, badRows };
}

function collectImages(value: unknown): ImageSource[] | string {
  const list = Array.isArray(value) ? value : [value];
  const sources: ImageSource[] = [];
  for (const entry of list) {
    const bytes =
      entry instanceof Uint8Array
        ? entry
        : typeof entry === 'object' && entry !== null && 'bytes' in entry
          ? (entry as { bytes: unknown }).bytes
          : undefined;
    if (!(bytes instanceof Uint8Array)) return 'image struct has no bytes';
    if (!sniffImageType(bytes)) return 'image bytes are not a PNG/JPEG/GIF/WebP/BMP/TIFF image';
    sources.push({ kind: 'bytes', bytes });
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
