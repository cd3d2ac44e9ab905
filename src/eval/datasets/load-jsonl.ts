import { access, readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputFormatError } from '../../errors.js';
import type { BadRow, DatasetRow, ImageSource, LoadedDataset } from './dataset-row.js';
import { decodeBase64Image } from './sniff-image.js';

const imageReference = z.union([z.string(), z.array(z.string())]);
const jsonlRow = z.looseObject({
  image: imageReference.optional(),
  images: imageReference.optional(),
  image_path: imageReference.optional(),
});

export type JsonlOptions = {
  /** Folder image file names are relative to; default: `images/` beside the file, else the file's folder. */
  imageDirectory?: string;
};

/**
 * JSON Lines (or a JSON array) with image files in a folder: `image`/`images`/`image_path` hold a
 * file name, a list of them, or base64. A missing image file makes the row bad, not the run.
 */
export async function loadJsonl(path: string, options: JsonlOptions = {}): Promise<LoadedDataset> {
  const text = await readFile(path, 'utf8');
  const folder = dirname(resolve(path));
  const imageDirectory = options.imageDirectory
    ? resolve(options.imageDirectory)
    : (await exists(resolve(folder, 'images')))
      ? resolve(folder, 'images')
      : folder;
  const rows: DatasetRow[] = [];
  const badRows: BadRow[] = [];
  const entries = splitEntries(text, path);
  for (const [rowNumber, entry] of entries.entries()) {
    let value: unknown;
    try {
      value = typeof entry.text === 'string' ? JSON.parse(entry.text) : entry.value;
    } catch (error) {
      badRows.push({ rowNumber, reason: `line ${entry.line}: not JSON (${(error as Error).message})` });
      continue;
    }
    const parsed = jsonlRow.safeParse(value);
    if (!parsed.success) {
      badRows.push({
        rowNumber,
        reason: `line ${entry.line}: ${parsed.error.issues[0]?.message ?? 'bad row'}`,
      });
      continue;
    }
    const { image, images, image_path: imagePath, ...fields } = parsed.data;
    const references = [image, images, imagePath].flatMap((reference) =>
      reference === undefined ? [] : Array.isArray(reference) ? reference : [reference],
    );
    const sources: ImageSource[] = [];
    let problem: string | undefined;
    for (const reference of references) {
      if (reference.length > 256) {
        const bytes = decodeBase64Image(reference);
        if (bytes) sources.push({ kind: 'bytes', bytes });
        else problem ??= 'inline image is not base64 of a known image format';
        continue;
      }
      const file = isAbsolute(reference) ? reference : resolve(imageDirectory, reference);
      if (await exists(file)) sources.push({ kind: 'file', path: file });
      else problem ??= `image file ${reference} not found in ${imageDirectory}`;
    }
    const id = fields.id ?? fields.index;
    if (problem) {
      badRows.push({
        rowNumber,
        ...(id === undefined ? {} : { id: String(id) }),
        reason: `line ${entry.line}: ${problem}`,
      });
    } else {
      rows.push({ rowNumber, fields, images: sources });
    }
  }
  return { format: 'jsonl', path, rows, badRows };
}

type Entry = { line: number; text?: string; value?: unknown };

/** A JSON array file yields its elements; otherwise every non-blank line is one entry. */
function splitEntries(text: string, path: string): Entry[] {
  if (text.trimStart().startsWith('[')) {
    try {
      const array = JSON.parse(text) as unknown;
      if (Array.isArray(array)) return array.map((value, position) => ({ line: position + 1, value }));
    } catch (error) {
      throw new InputFormatError('json-unreadable', `${path} starts with [ but is not a JSON array`, {
        cause: error,
      });
    }
  }
  return text
    .split('\n')
    .map((lineText, position) => ({ line: position + 1, text: lineText }))
    .filter((entry) => entry.text.trim() !== '');
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
