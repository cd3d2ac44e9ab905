import { open, readFile } from 'node:fs/promises';
import { InputFormatError } from '../../errors.js';
import type { ImageSource } from './dataset-row.js';
import { unquoteCell } from './read-tsv-records.js';
import { decodeBase64Image, sniffImageType } from './sniff-image.js';

/**
 * Reads one image when its item runs: only this image's bytes are read from the data file, so the
 * memory an evaluation needs follows its concurrency, not the size of the file.
 */
export async function readImageSource(source: ImageSource): Promise<Uint8Array> {
  switch (source.kind) {
    case 'bytes':
      return source.bytes;
    case 'file':
      return new Uint8Array(await readFile(source.path));
    case 'tsv-cell': {
      const text = unquoteCell((await readRange(source.path, source.start, source.end)).toString('latin1'));
      return decodedOrThrow(decodeBase64Image(text), source, `bytes ${source.start}–${source.end}`);
    }
    case 'json-line': {
      const line = (await readRange(source.path, source.start, source.end)).toString('utf8');
      const record = JSON.parse(line) as Record<string, unknown>;
      const value = record[source.field];
      const text = source.element === undefined ? value : (value as unknown[])[source.element];
      const bytes = typeof text === 'string' ? decodeBase64Image(text) : undefined;
      return decodedOrThrow(bytes, source, `field ${source.field} of the line at byte ${source.start}`);
    }
    case 'parquet': {
      // Imported here: most runs never read parquet, and start-up time counts.
      const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
      const { compressors } = await import('hyparquet-compressors');
      const file = await asyncBufferFromFile(source.path);
      const [record] = (await parquetReadObjects({
        file,
        compressors,
        utf8: false,
        columns: [source.column],
        rowStart: source.row,
        rowEnd: source.row + 1,
      })) as Record<string, unknown>[];
      let value = record?.[source.column];
      if (source.element !== undefined) value = (value as unknown[] | undefined)?.[source.element];
      const bytes = imageBytes(value);
      return decodedOrThrow(
        bytes && sniffImageType(bytes) ? bytes : undefined,
        source,
        `row ${source.row}, column ${source.column}`,
      );
    }
  }
}

/** Bytes of a parquet image value: raw bytes or Hugging Face's `struct<bytes, path>`. */
export function imageBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) return value;
  if (typeof value === 'object' && value !== null && 'bytes' in value) {
    const bytes = (value as { bytes: unknown }).bytes;
    return bytes instanceof Uint8Array ? bytes : undefined;
  }
  return undefined;
}

async function readRange(path: string, start: number, end: number): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(end - start);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

function decodedOrThrow(bytes: Uint8Array | undefined, source: ImageSource, where: string): Uint8Array {
  if (bytes) return bytes;
  const path = 'path' in source ? source.path : 'the data';
  throw new InputFormatError('image-unreadable', `The image at ${where} of ${path} is not a readable image`, {
    hint: 'the data file changed since it was indexed, or the row is corrupt; check the row or start a new run',
  });
}
