/**
 * Tab-separated records as pandas writes them (`to_csv(sep='\t')`, VLMEvalKit's format), read from a
 * file in chunks: a field holding a tab, newline or quote is wrapped in double quotes with inner
 * quotes doubled. Nothing holds the whole file: each record comes with the byte range of every cell,
 * and a cell's text only when the caller keeps that column. A base64 image cell of hundreds of MB
 * is skipped over with `indexOf` (no tab, quote or newline can occur in base64) and later read back
 * by its range, when its item runs.
 */
import { open } from 'node:fs/promises';

export type TsvCell = {
  /** Absolute byte range of the raw cell (quotes included when quoted). */
  start: number;
  end: number;
  /** Unquoted text, when the caller kept this column. */
  text?: string;
  /** The first bytes of the raw cell, for sniffing an image without reading it. */
  head: string;
};

export type TsvRecord = {
  /** 1-based line where the record starts. */
  line: number;
  /** Absolute byte range of the record, terminator included. */
  start: number;
  end: number;
  /** Line where the next record starts. */
  endLine: number;
  cells: TsvCell[];
};

export type ReadTsvOptions = {
  /** Where to start: a record boundary from an earlier read, with its line number. */
  from?: { offset: number; line: number };
  /** Whether to decode cell `column` of the record; image columns are skipped. Default: all. */
  keepCell?: (column: number, recordIndex: number) => boolean;
  /** Every byte read from `from.offset` on passes through here exactly once, in order, up to the
   * end of the last record yielded (so a hash of them covers exactly what was read). */
  onBytes?: (bytes: Buffer) => void;
  chunkBytes?: number;
};

const TAB = 9;
const LF = 10;
const CR = 13;
const QUOTE = 34;
export const CELL_HEAD_BYTES = 96;

/** Yields records one by one; stopping early (break / return) reads no further. */
export async function* readTsvRecords(path: string, options: ReadTsvOptions = {}): AsyncGenerator<TsvRecord> {
  const handle = await open(path, 'r');
  const chunkBytes = options.chunkBytes ?? 4 * 1024 * 1024;
  let position = options.from?.offset ?? 0;
  let line = options.from?.line ?? 1;
  // Parser state carried across chunks.
  let cells: TsvCell[] = [];
  let recordStart = position;
  let recordLine = line;
  let recordIndex = 0;
  let cellStart = position;
  let cellParts: Buffer[] = [];
  let cellHead: Buffer[] = [];
  let cellHeadLength = 0;
  let inQuotes = false;
  let atCellStart = true;
  let chunk = Buffer.alloc(0);
  let chunkStart = position;
  let hashedTo = position;
  let carry = Buffer.alloc(0);

  const keep = (column: number) => options.keepCell?.(column, recordIndex) ?? true;
  const collect = (from: number, to: number) => {
    if (to <= from) return;
    const piece = chunk.subarray(from - chunkStart, to - chunkStart);
    if (keep(cells.length)) cellParts.push(Buffer.from(piece));
    if (cellHeadLength < CELL_HEAD_BYTES) {
      const headPiece = Buffer.from(piece.subarray(0, CELL_HEAD_BYTES - cellHeadLength));
      cellHead.push(headPiece);
      cellHeadLength += headPiece.length;
    }
  };
  const endCell = (at: number) => {
    collect(Math.max(cellStart, chunkStart), at);
    const head = Buffer.concat(cellHead).toString('utf8');
    const cell: TsvCell = { start: cellStart, end: at, head };
    if (keep(cells.length)) cell.text = unquoteCell(Buffer.concat(cellParts).toString('utf8'));
    cells.push(cell);
    cellParts = [];
    cellHead = [];
    cellHeadLength = 0;
    atCellStart = true;
  };
  const hashTo = (offset: number) => {
    if (offset <= hashedTo) return;
    options.onBytes?.(chunk.subarray(hashedTo - chunkStart, offset - chunkStart));
    hashedTo = offset;
  };

  try {
    let nextTab = -1;
    let nextLf = -1;
    let nextCr = -1;
    for (;;) {
      const buffer = Buffer.allocUnsafe(chunkBytes);
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, position);
      const atEof = bytesRead === 0;
      chunk =
        carry.length > 0
          ? Buffer.concat([carry, buffer.subarray(0, bytesRead)])
          : buffer.subarray(0, bytesRead);
      chunkStart = position - carry.length;
      position += bytesRead;
      carry = Buffer.alloc(0);
      nextTab = nextLf = nextCr = -1;
      const length = chunk.length;
      let index = 0;
      // A record ended in this chunk is yielded after the loop over the chunk reaches it; keep them
      // in order here so the hash and the yields stay in step.
      const finished: TsvRecord[] = [];
      const endRecord = (terminatorEnd: number, at: number) => {
        endCell(at);
        const record: TsvRecord = {
          line: recordLine,
          start: recordStart,
          end: terminatorEnd,
          endLine: line,
          cells,
        };
        if (!isBlank(cells)) {
          finished.push(record);
          recordIndex++;
        }
        cells = [];
        recordStart = terminatorEnd;
        cellStart = terminatorEnd;
        recordLine = line;
      };
      while (index < length) {
        if (inQuotes) {
          const quote = chunk.indexOf(QUOTE, index);
          const stop = quote === -1 ? length : quote;
          for (let lf = chunk.indexOf(LF, index); lf !== -1 && lf < stop; lf = chunk.indexOf(LF, lf + 1))
            line++;
          if (quote === -1) {
            index = length;
            break;
          }
          if (quote + 1 === length && !atEof) {
            carry = Buffer.from(chunk.subarray(quote));
            index = quote;
            break;
          }
          if (chunk[quote + 1] === QUOTE) index = quote + 2;
          else {
            inQuotes = false;
            index = quote + 1;
          }
          continue;
        }
        if (atCellStart && chunk[index] === QUOTE) {
          inQuotes = true;
          atCellStart = false;
          index++;
          continue;
        }
        atCellStart = false;
        if (nextTab !== length && nextTab < index) nextTab = indexOrEnd(chunk, TAB, index);
        if (nextLf !== length && nextLf < index) nextLf = indexOrEnd(chunk, LF, index);
        if (nextCr !== length && nextCr < index) nextCr = indexOrEnd(chunk, CR, index);
        const delimiter = Math.min(nextTab, nextLf, nextCr);
        if (delimiter === length) {
          index = length;
          break;
        }
        const at = chunkStart + delimiter;
        if (delimiter === nextTab) {
          endCell(at);
          cellStart = at + 1;
          index = delimiter + 1;
        } else if (delimiter === nextLf) {
          line++;
          endRecord(at + 1, at);
          index = delimiter + 1;
        } else {
          if (delimiter + 1 === length && !atEof) {
            carry = Buffer.from(chunk.subarray(delimiter));
            index = delimiter;
            break;
          }
          const crlf = chunk[delimiter + 1] === LF;
          line++;
          endRecord(at + (crlf ? 2 : 1), at);
          index = delimiter + (crlf ? 2 : 1);
        }
      }
      // Bytes of this chunk still in an unfinished cell are kept (or just their head) now.
      const consumedTo = chunkStart + index;
      if (cellStart < consumedTo) {
        collect(Math.max(cellStart, chunkStart), consumedTo);
      }
      for (const record of finished) {
        hashTo(record.end);
        yield record;
      }
      if (atEof) {
        hashTo(chunkStart + length);
        // The last record has no terminator.
        if (cells.length > 0 || chunkStart + length > cellStart) {
          const last = finishLast(chunkStart + length);
          if (last) yield last;
        }
        break;
      }
      hashTo(consumedTo);
    }
  } finally {
    await handle.close();
  }

  function finishLast(at: number): TsvRecord | undefined {
    const head = Buffer.concat(cellHead).toString('utf8');
    const cell: TsvCell = { start: cellStart, end: at, head };
    if (keep(cells.length)) cell.text = unquoteCell(Buffer.concat(cellParts).toString('utf8'));
    cells.push(cell);
    if (isBlank(cells)) return undefined;
    return { line: recordLine, start: recordStart, end: at, endLine: line, cells };
  }
}

/** A blank line (or one holding only an empty quoted cell) is not a record, as in pandas. */
function isBlank(cells: TsvCell[]): boolean {
  if (cells.length !== 1) return false;
  const cell = cells[0]!;
  return cell.end === cell.start || cell.text === '';
}

function indexOrEnd(buffer: Buffer, byte: number, from: number): number {
  const found = buffer.indexOf(byte, from);
  return found === -1 ? buffer.length : found;
}

/** `"a ""b"""` → `a "b"`; text after the closing quote is kept, as pandas' parser keeps it. */
export function unquoteCell(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  let out = '';
  let index = 1;
  for (;;) {
    const quote = raw.indexOf('"', index);
    if (quote === -1) return out + raw.slice(index);
    out += raw.slice(index, quote);
    if (raw[quote + 1] === '"') {
      out += '"';
      index = quote + 2;
      continue;
    }
    return out + raw.slice(quote + 1);
  }
}
