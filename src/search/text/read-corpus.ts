import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ZodError } from 'zod';
import { InputFormatError, UserError } from '../../errors.js';
import { type Passage, toPassage } from './passage.js';

/** How far through the corpus file a reader is, for progress bars. */
export type CorpusProgress = { passages: number; fraction: number };

export type CorpusReader = {
  /** Passages in file order; throws `InputFormatError` naming the line or row of a bad record. */
  passages: AsyncIterable<Passage>;
  /** Current position; `fraction` is bytes read (JSONL) or rows read (parquet) over the total. */
  progress(): CorpusProgress;
};

const PARQUET_ROWS_PER_READ = 5000;

/** Opens a `.jsonl` or `.parquet` corpus of passages (`id`, `title`, `text`, optional `url`, `date`). */
export async function openCorpus(path: string): Promise<CorpusReader> {
  const info = await stat(path).catch((cause: unknown) => {
    throw new UserError('corpus-not-found', `cannot read corpus ${path}: no such file`, {
      cause,
      hint: 'Check the --corpus path.',
    });
  });
  if (info.isDirectory()) {
    throw new UserError('corpus-not-found', `corpus ${path} is a directory, not a file`, {
      hint: 'Give --corpus a .jsonl or .parquet file (for a folder of images use --images).',
    });
  }
  const size = info.size;
  if (path.endsWith('.parquet')) return openParquet(path);
  if (path.endsWith('.jsonl') || path.endsWith('.json') || path.endsWith('.ndjson'))
    return openJsonl(path, size);
  throw new UserError('corpus-format', `corpus ${path} is neither .jsonl nor .parquet`, {
    hint: 'write one JSON object per line with id, title, text (optional url, date), or a parquet file with those columns',
  });
}

function openJsonl(path: string, totalBytes: number): CorpusReader {
  let bytesRead = 0;
  let count = 0;
  async function* passages(): AsyncGenerator<Passage> {
    const stream = createReadStream(path);
    stream.on('data', (chunk) => {
      bytesRead += chunk.length;
    });
    const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
    let lineNumber = 0;
    for await (const line of lines) {
      lineNumber += 1;
      if (line.trim() === '') continue;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (cause) {
        throw new InputFormatError('corpus-row', `${path}:${lineNumber} is not valid JSON`, { cause });
      }
      const passage = toPassage(raw);
      if (passage instanceof ZodError) {
        throw new InputFormatError(
          'corpus-row',
          `${path}:${lineNumber} is not a passage: ${passage.issues[0]?.message}`,
          {
            hint: 'each line needs "id" (string or integer), "title" and "text" strings',
          },
        );
      }
      count += 1;
      yield passage;
    }
  }
  return {
    passages: passages(),
    progress: () => ({
      passages: count,
      fraction: totalBytes === 0 ? 1 : Math.min(1, bytesRead / totalBytes),
    }),
  };
}

async function openParquet(path: string): Promise<CorpusReader> {
  const file = await asyncBufferFromFile(path);
  let metadata: Awaited<ReturnType<typeof parquetMetadataAsync>>;
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (cause) {
    throw new InputFormatError(
      'corpus-format',
      `corpus ${path} is not a parquet file (${(cause as Error).message})`,
      {
        cause,
        hint: 'Give a real .parquet file with columns id, title, text, or a .jsonl file with one passage per line.',
      },
    );
  }
  const totalRows = Number(metadata.num_rows);
  const columnNames = new Set(metadata.schema.map((element) => element.name));
  const columns = ['id', 'title', 'text', 'url', 'date'].filter((name) => columnNames.has(name));
  let count = 0;
  async function* passages(): AsyncGenerator<Passage> {
    for (let rowStart = 0; rowStart < totalRows; rowStart += PARQUET_ROWS_PER_READ) {
      const rowEnd = Math.min(totalRows, rowStart + PARQUET_ROWS_PER_READ);
      const rows = await parquetReadObjects({ file, metadata, columns, rowStart, rowEnd, compressors });
      for (const [offset, row] of rows.entries()) {
        const passage = toPassage(normalizeParquetRow(row));
        if (passage instanceof ZodError) {
          throw new InputFormatError(
            'corpus-row',
            `${path} row ${rowStart + offset} is not a passage: ${passage.issues[0]?.message}`,
            {
              hint: 'the parquet file needs columns id, title, text (optional url, date)',
            },
          );
        }
        count += 1;
        yield passage;
      }
    }
  }
  return {
    passages: passages(),
    progress: () => ({ passages: count, fraction: totalRows === 0 ? 1 : count / totalRows }),
  };
}

/** Parquet gives int64 ids as bigint and missing values as null; the schema wants strings or numbers. */
function normalizeParquetRow(row: Record<string, unknown>): Record<string, unknown> {
  const id = typeof row.id === 'bigint' ? row.id.toString() : row.id;
  return { ...row, id };
}
