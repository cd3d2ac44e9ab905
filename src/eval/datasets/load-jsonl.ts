import { access, open, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputFormatError } from '../../errors.js';
import type { BadRow, DatasetRow, DatasetScan, ImageSource } from './dataset-row.js';
import { readLines } from './read-lines.js';
import type { ScanOptions } from './scan-options.js';
import { decodeBase64Image, sniffBase64Head } from './sniff-image.js';

const IMAGE_FIELDS = ['image', 'images', 'image_path'] as const;
const imageReference = z.union([z.string(), z.array(z.string())]);
const jsonlRow = z.looseObject({
  image: imageReference.optional(),
  images: imageReference.optional(),
  image_path: imageReference.optional(),
});

/** Where an entry came from: a line of a JSONL file (its byte range), or an element of a JSON array. */
type Entry = { line?: number; start?: number; end?: number; text?: string; value?: unknown };

/**
 * JSON Lines (or a JSON array) with image files in a folder: `image`/`images`/`image_path` hold a
 * file name, a list of them, or base64. A missing image file makes the row bad, not the run.
 * JSON Lines are streamed line by line and inline base64 is left in the file until its item runs;
 * a JSON array is read whole (convert a big one to JSON Lines).
 */
export async function scanJsonl(path: string, options: ScanOptions = {}): Promise<DatasetScan> {
  const folder = dirname(resolve(path));
  const imageDirectory = options.imageDirectory
    ? resolve(options.imageDirectory)
    : (await exists(resolve(folder, 'images')))
      ? resolve(folder, 'images')
      : folder;
  const previous = options.previous;
  const rows: DatasetRow[] = previous ? [...previous.rows] : [];
  const badRows: BadRow[] = previous ? [...previous.badRows] : [];
  let cursor = previous?.cursor ?? { offset: 0, line: 1, rowNumber: 0 };

  if (!previous && (await startsWithBracket(path))) {
    const entries = await readJsonArray(path);
    for (const [rowNumber, entry] of entries.entries()) await addEntry(entry, rowNumber);
    return {
      format: 'jsonl',
      path,
      rows,
      badRows,
      cursor: { offset: 0, line: 1, rowNumber: entries.length },
      complete: true,
      fingerprintScope: 'whole',
    };
  }

  let stopped = false;
  for await (const line of readLines(path, {
    from: cursor,
    ...(options.onBytes ? { onBytes: options.onBytes } : {}),
  })) {
    if (line.text.trim() !== '') {
      await addEntry(
        { line: line.line, start: line.start, end: line.end, text: line.text },
        cursor.rowNumber,
      );
      cursor = { offset: line.next, line: line.line + 1, rowNumber: cursor.rowNumber + 1 };
    } else {
      cursor = { ...cursor, offset: line.next, line: line.line + 1 };
    }
    if (options.shouldStop?.(rows)) {
      stopped = true;
      break;
    }
  }
  return { format: 'jsonl', path, rows, badRows, cursor, complete: !stopped, fingerprintScope: 'prefix' };

  async function addEntry(entry: Entry, rowNumber: number): Promise<void> {
    const bad = (reason: string, id?: unknown) =>
      badRows.push({
        rowNumber,
        ...(entry.line === undefined ? {} : { line: entry.line }),
        ...(id === undefined ? {} : { id: String(id) }),
        reason,
      });
    let value: unknown;
    try {
      value = entry.text === undefined ? entry.value : JSON.parse(entry.text);
    } catch (error) {
      return void bad(`not JSON (${(error as Error).message})`);
    }
    const parsed = jsonlRow.safeParse(value);
    if (!parsed.success) return void bad(parsed.error.issues[0]?.message ?? 'bad row');
    const { image, images, image_path: imagePath, ...fields } = parsed.data;
    const id = fields.id ?? fields.index;
    const sources: ImageSource[] = [];
    for (const field of IMAGE_FIELDS) {
      const reference = parsed.data[field];
      if (reference === undefined) continue;
      const list = Array.isArray(reference) ? reference : [reference];
      for (const [element, text] of list.entries()) {
        const source = await imageSource(text, field, Array.isArray(reference) ? element : undefined);
        if (typeof source === 'string') return void bad(source, id);
        sources.push(source);
      }
    }
    rows.push({
      rowNumber,
      ...(entry.line === undefined ? {} : { line: entry.line }),
      fields,
      images: sources,
    });

    async function imageSource(text: string, field: string, element: number | undefined) {
      if (text.trim() === '') return `${field} is empty`;
      if (text.length > 256) {
        if (entry.start === undefined) {
          const bytes = decodeBase64Image(text);
          return bytes
            ? ({ kind: 'bytes', bytes } as const)
            : 'inline image is not base64 of a known image format';
        }
        if (!sniffBase64Head(text.slice(0, 96))) return 'inline image is not base64 of a known image format';
        return {
          kind: 'json-line',
          path,
          start: entry.start,
          end: entry.end!,
          field,
          ...(element === undefined ? {} : { element }),
        } as const;
      }
      const file = isAbsolute(text) ? text : resolve(imageDirectory, text);
      if (await exists(file)) return { kind: 'file', path: file } as const;
      return `image file ${text} not found in ${imageDirectory}`;
    }
  }
}

async function startsWithBracket(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(256);
    const { bytesRead } = await handle.read(head, 0, 256, 0);
    return head.subarray(0, bytesRead).toString('utf8').trimStart().startsWith('[');
  } finally {
    await handle.close();
  }
}

async function readJsonArray(path: string): Promise<Entry[]> {
  try {
    const array = JSON.parse(await readFile(path, 'utf8')) as unknown;
    if (Array.isArray(array)) return array.map((value) => ({ value }));
  } catch (error) {
    throw new InputFormatError('json-unreadable', `${path} starts with [ but is not a JSON array`, {
      cause: error,
      hint: 'give a JSON array of rows, or one JSON object per line (.jsonl)',
    });
  }
  throw new InputFormatError('json-unreadable', `${path} starts with [ but is not a JSON array`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
