import { open } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputFormatError } from '../../errors.js';
import {
  ANSWER_FIELDS,
  type BadRow,
  type DatasetRow,
  type DatasetScan,
  type ImageSource,
} from './dataset-row.js';
import { readTsvRecords, type TsvCell, type TsvRecord } from './read-tsv-records.js';
import type { ScanOptions } from './scan-options.js';
import { sniffBase64Head } from './sniff-image.js';

/**
 * VLMEvalKit's TSV layout: `index`, `image` (base64), `question`, `answer`, options `A`…, `hint`,
 * `category`, `l2-category`, `split`. Two conventions from VLMEvalKit's loader are honoured: an
 * `image` cell of at most 64 characters names another row's `index` whose image it shares, and an
 * image cell may be a Python list literal of base64 strings (multi-image items). `image_path`
 * (relative to the file) is used when there is no `image` column.
 *
 * The file is streamed: image cells are located, their first bytes sniffed, and left on disk.
 */
export async function scanVlmevalkitTsv(path: string, options: ScanOptions = {}): Promise<DatasetScan> {
  const previous = options.previous;
  const rows: DatasetRow[] = previous ? [...previous.rows] : [];
  const badRows: BadRow[] = previous ? [...previous.badRows] : [];
  let columns = previous?.columns;
  let cursor = previous?.cursor ?? { offset: 0, line: 1, rowNumber: 0 };
  const baseDirectory = dirname(resolve(path));
  // index → the images of that row, for rows whose image cell names another row's index.
  const imagesByIndex = new Map<string, ImageSource[]>();
  for (const row of rows) {
    if (typeof row.fields.index === 'string') imagesByIndex.set(row.fields.index, row.images);
  }
  // Rows naming an index not seen yet wait for it (VLMEvalKit allows forward references).
  const waiting: {
    record: TsvRecord;
    rowNumber: number;
    reference: string;
    fields: Record<string, string>;
  }[] = [];
  let imageColumn = columns?.indexOf('image') ?? -1;
  let rowNumber = cursor.rowNumber;
  let stopped = false;
  const records = readTsvRecords(path, {
    from: { offset: cursor.offset, line: cursor.line },
    // Header: every cell; rows: everything but the image cell (only its head is read).
    keepCell: (column, recordIndex) => (columns === undefined && recordIndex === 0) || column !== imageColumn,
    ...(options.onBytes ? { onBytes: options.onBytes } : {}),
  });
  for await (const record of records) {
    if (columns === undefined) {
      columns = record.cells.map((cell) => (cell.text ?? '').trim());
      checkColumns(path, columns);
      imageColumn = columns.indexOf('image');
      cursor = { offset: record.end, line: record.endLine, rowNumber: 0 };
      continue;
    }
    const number = rowNumber++;
    const row = await readRow(record, number);
    if (row !== 'waiting') {
      if ('reason' in row) badRows.push(row);
      else rows.push(row);
      release(row);
    }
    cursor = { offset: record.end, line: record.endLine, rowNumber };
    if (options.shouldStop?.(rows) && waiting.length === 0) {
      stopped = true;
      break;
    }
  }
  if (columns === undefined) throw new InputFormatError('empty-dataset', `${path} is empty`);
  if (!stopped) {
    for (const { record, rowNumber: number, reference, fields } of waiting) {
      badRows.push({
        rowNumber: number,
        line: record.line,
        ...(fields.index ? { id: fields.index } : {}),
        reason: `image refers to index ${reference}, which has no image`,
      });
    }
  }
  rows.sort((left, right) => left.rowNumber - right.rowNumber);
  badRows.sort((left, right) => left.rowNumber - right.rowNumber);
  return {
    format: 'vlmevalkit-tsv',
    path,
    rows,
    badRows,
    columns,
    cursor,
    complete: !stopped,
    fingerprintScope: 'prefix',
  };

  function release(row: DatasetRow | BadRow) {
    if ('reason' in row) return;
    const index = row.fields.index;
    if (typeof index !== 'string') return;
    imagesByIndex.set(index, row.images);
    for (let position = waiting.length - 1; position >= 0; position--) {
      const entry = waiting[position]!;
      if (entry.reference !== index) continue;
      waiting.splice(position, 1);
      const released: DatasetRow = {
        rowNumber: entry.rowNumber,
        line: entry.record.line,
        fields: entry.fields,
        images: row.images,
      };
      rows.push(released);
      release(released);
    }
  }

  async function readRow(record: TsvRecord, number: number): Promise<DatasetRow | BadRow | 'waiting'> {
    const names = columns!;
    const indexCell = record.cells[names.indexOf('index')]?.text?.trim();
    const id = indexCell ? { id: indexCell } : {};
    if (record.cells.length !== names.length) {
      return {
        rowNumber: number,
        line: record.line,
        ...id,
        reason: `${record.cells.length} cells, header has ${names.length}`,
      };
    }
    const fields: Record<string, string> = {};
    names.forEach((column, position) => {
      const value = record.cells[position]!.text;
      if (value !== undefined && value !== '' && position !== imageColumn) fields[column] = value;
    });
    const bad = (reason: string): BadRow => ({ rowNumber: number, line: record.line, ...id, reason });
    // image_path stays a field too: MME's acc+ pairs the questions about one image by it.
    const imagePath = fields.image_path;
    const row = (images: ImageSource[]): DatasetRow => ({
      rowNumber: number,
      line: record.line,
      fields,
      images,
    });
    if (imageColumn >= 0) {
      const cell = record.cells[imageColumn]!;
      const length = cell.end - cell.start;
      if (length === 0 || (length <= 64 && cell.head.trim() === '')) {
        if (imagePath !== undefined) return row(pathImages(imagePath, baseDirectory));
        return bad('image cell is empty');
      }
      if (length <= 64) {
        const reference = cell.head.trim();
        const shared = imagesByIndex.get(reference);
        if (shared) return row(shared);
        waiting.push({ record, rowNumber: number, reference, fields });
        return 'waiting';
      }
      const sources = await cellImages(cell);
      return typeof sources === 'string' ? bad(sources) : row(sources);
    }
    if (imagePath !== undefined) return row(pathImages(imagePath, baseDirectory));
    return row([]);
  }

  /** The images of a base64 cell: one, or one per element of a list literal (read back from disk). */
  async function cellImages(cell: TsvCell): Promise<ImageSource[] | string> {
    const head = cell.head.replace(/^"/, '').trimStart();
    if (!head.startsWith('[')) {
      if (!sniffBase64Head(cell.head)) return 'image 1 is not base64 of a PNG/JPEG/GIF/WebP/BMP/TIFF image';
      return [{ kind: 'tsv-cell', path, start: cell.start, end: cell.end }];
    }
    const handle = await open(path, 'r');
    try {
      const bytes = Buffer.alloc(cell.end - cell.start);
      await handle.read(bytes, 0, bytes.length, cell.start);
      const text = bytes.toString('latin1');
      const sources: ImageSource[] = [];
      for (const match of text.matchAll(/'([^']*)'|"([^"]*)"/g)) {
        const content = match[1] ?? match[2] ?? '';
        const start = cell.start + match.index + 1;
        if (!sniffBase64Head(content.slice(0, 96)))
          return `image ${sources.length + 1} is not base64 of a PNG/JPEG/GIF/WebP/BMP/TIFF image`;
        sources.push({ kind: 'tsv-cell', path, start, end: start + content.length });
      }
      return sources.length > 0 ? sources : 'image cell is an empty list';
    } finally {
      await handle.close();
    }
  }
}

function checkColumns(path: string, columns: string[]): void {
  const hint = 'VLMEvalKit TSV files have a header line with index, image, question, answer, …';
  if (!columns.includes('question') && !columns.includes('query')) {
    throw new InputFormatError(
      'tsv-columns',
      `${path} has no question column (columns: ${columns.join(', ')})`,
      {
        hint,
      },
    );
  }
  if (!ANSWER_FIELDS.some((field) => columns.includes(field))) {
    throw new InputFormatError(
      'tsv-no-answer',
      `${path} has no answer column (columns: ${columns.join(', ')}), so no item could be scored`,
      { hint: `${hint}; test splits without answers cannot be evaluated here` },
    );
  }
}

/** `image_path`: one path or a Python list literal of paths, relative to the TSV's folder. */
function pathImages(cell: string, baseDirectory: string): ImageSource[] {
  const trimmed = cell.trim();
  const paths =
    trimmed.startsWith('[') && trimmed.endsWith(']')
      ? [...trimmed.matchAll(/'([^']*)'|"([^"]*)"/g)].map((match) => match[1] ?? match[2] ?? '')
      : [trimmed];
  return paths.map((relative) => ({ kind: 'file', path: resolve(baseDirectory, relative) }));
}
