import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { UserError } from '../../errors.js';
import type { DatasetRow } from '../../eval/datasets/dataset-row.js';
import { loadDataset, readImageSource } from '../../eval/datasets/load-dataset.js';
import type { SourceConfig } from './source-config.js';

export type SourceRows = {
  /** The file rows came from (a folder source names its JSONL). */
  file: string;
  rows: DatasetRow[];
  badRows: { row: number; reason: string }[];
};

/**
 * Reads a source through the evaluation loaders (`src/eval/datasets`): JSONL/JSON with an image
 * folder, Hugging Face/verl parquet with image bytes, VLMEvalKit TSV with base64 images. A folder
 * source is every `.jsonl` in it, image names relative to the folder.
 */
export async function readSource(source: SourceConfig): Promise<SourceRows[]> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(source.path)).isDirectory();
  } catch (cause) {
    throw new UserError('curate-source-missing', `No source at ${source.path}`, {
      cause,
      hint: 'check the path in the config (sources: - path: …) or on the command line',
    });
  }
  const format = source.format ?? (isDirectory ? 'folder' : formatOf(source.path));
  if (format === 'folder') {
    const names = (await readdir(source.path)).filter(
      (name) => name.endsWith('.jsonl') || name.endsWith('.json'),
    );
    if (names.length === 0)
      throw new UserError('curate-source-empty', `The folder ${source.path} has no .jsonl file`, {
        hint: 'a folder source is images plus one or more JSONL files naming them',
      });
    const all: SourceRows[] = [];
    for (const name of names.sort())
      all.push(await readFile(join(source.path, name), 'jsonl', source.imageDir ?? source.path));
    return all;
  }
  return [await readFile(source.path, format, source.imageDir)];
}

async function readFile(path: string, format: string, imageDirectory?: string): Promise<SourceRows> {
  const loaded = await loadDataset(path, {
    format: format === 'tsv' ? 'vlmevalkit-tsv' : format === 'parquet' ? 'hf-parquet' : 'jsonl',
    ...(imageDirectory ? { imageDirectory } : {}),
  });
  return {
    file: path,
    rows: loaded.rows,
    badRows: loaded.badRows.map((row) => ({
      row: row.rowNumber,
      reason: row.line === undefined ? row.reason : `line ${row.line}: ${row.reason}`,
    })),
  };
}

function formatOf(path: string): 'jsonl' | 'json' | 'parquet' | 'tsv' {
  const extension = extname(path).toLowerCase();
  if (extension === '.jsonl') return 'jsonl';
  if (extension === '.json') return 'json';
  if (extension === '.parquet') return 'parquet';
  if (extension === '.tsv') return 'tsv';
  throw new UserError(
    'curate-source-format',
    `Cannot tell the format of ${basename(path)} from its extension`,
    {
      hint: 'set format: jsonl | json | parquet | tsv | folder on the source',
    },
  );
}

export { readImageSource };
