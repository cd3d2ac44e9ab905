import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputFormatError } from '../../errors.js';
import type { BadRow, DatasetRow, ImageSource, LoadedDataset } from './dataset-row.js';
import { parseTsv } from './parse-tsv.js';
import { decodeBase64Image } from './sniff-image.js';

/**
 * VLMEvalKit's TSV layout: `index`, `image` (base64), `question`, `answer`, options `A`…, `hint`,
 * `category`, `l2-category`, `split`. Two conventions from VLMEvalKit's loader are honoured: an
 * `image` cell of at most 64 characters names another row's `index` whose image it shares, and an
 * image cell may be a Python list literal of base64 strings (multi-image items). `image_path`
 * (relative to the file) is used when there is no `image` column.
 */
export async function loadVlmevalkitTsv(path: string): Promise<LoadedDataset> {
  const text = await readFile(path, 'utf8');
  const records = parseTsv(text);
  const header = records.shift();
  if (!header) throw new InputFormatError('empty-dataset', `${path} is empty`);
  const columns = header.cells.map((name) => name.trim());
  if (!columns.includes('question') && !columns.includes('query')) {
    throw new InputFormatError(
      'tsv-columns',
      `${path} has no question column (columns: ${columns.join(', ')})`,
      {
        hint: 'VLMEvalKit TSV files have a header line with index, image, question, answer, …',
      },
    );
  }
  const baseDirectory = dirname(resolve(path));
  const rows: DatasetRow[] = [];
  const badRows: BadRow[] = [];
  const imageByIndex = new Map<string, string>();
  const parsed: { rowNumber: number; fields: Record<string, string> }[] = [];

  records.forEach((record, rowNumber) => {
    const id = record.cells[columns.indexOf('index')]?.trim();
    if (record.cells.length !== columns.length) {
      badRows.push({
        rowNumber,
        ...(id ? { id } : {}),
        reason: `line ${record.line}: ${record.cells.length} cells, header has ${columns.length}`,
      });
      return;
    }
    const fields: Record<string, string> = {};
    columns.forEach((column, position) => {
      const value = record.cells[position]!;
      if (value !== '') fields[column] = value;
    });
    if (fields.index !== undefined && fields.image !== undefined && fields.image.length > 64) {
      imageByIndex.set(fields.index, fields.image);
    }
    parsed.push({ rowNumber, fields });
  });

  for (const { rowNumber, fields } of parsed) {
    const images = resolveImages(fields, imageByIndex, baseDirectory);
    if (typeof images === 'string') {
      badRows.push({ rowNumber, ...(fields.index ? { id: fields.index } : {}), reason: images });
      continue;
    }
    const { image: _image, image_path: _imagePath, ...rest } = fields;
    rows.push({ rowNumber, fields: rest, images });
  }
  badRows.sort((left, right) => left.rowNumber - right.rowNumber);
  return { format: 'vlmevalkit-tsv', path, rows, badRows };
}

/** Returns the row's images, or a reason string when they cannot be read. */
function resolveImages(
  fields: Record<string, string>,
  imageByIndex: Map<string, string>,
  baseDirectory: string,
): ImageSource[] | string {
  const cell = fields.image;
  if (cell !== undefined) {
    const texts = cell.length <= 64 ? [imageByIndex.get(cell.trim())] : splitListLiteral(cell);
    if (texts[0] === undefined) return `image refers to index ${cell.trim()}, which has no image`;
    const sources: ImageSource[] = [];
    for (const [position, text] of texts.entries()) {
      const bytes = text === undefined ? undefined : decodeBase64Image(text);
      if (!bytes) return `image ${position + 1} is not base64 of a PNG/JPEG/GIF/WebP/BMP/TIFF image`;
      sources.push({ kind: 'bytes', bytes });
    }
    return sources;
  }
  if (fields.image_path !== undefined) {
    return splitListLiteral(fields.image_path).map((relative) => ({
      kind: 'file',
      path: resolve(baseDirectory, relative),
    }));
  }
  return [];
}

/** `['a', 'b']` (a Python list repr, as VLMEvalKit writes multi-image cells) → items; else the cell. */
function splitListLiteral(cell: string): string[] {
  const trimmed = cell.trim();
  if (!trimmed.startsWith('[') || !trimmed.endsWith(']')) return [trimmed];
  return [...trimmed.matchAll(/'([^']*)'|"([^"]*)"/g)].map((match) => match[1] ?? match[2] ?? '');
}
