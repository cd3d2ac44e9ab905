import { readFile, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../../errors.js';
import type { DatasetFormat, ImageSource, LoadedDataset } from './dataset-row.js';
import { loadHfParquet } from './load-hf-parquet.js';
import { type JsonlOptions, loadJsonl } from './load-jsonl.js';
import { loadVlmevalkitTsv } from './load-vlmevalkit-tsv.js';

/** Picks the loader from the file extension (`.tsv`, `.parquet`, `.jsonl`/`.json`) unless told. */
export async function loadDataset(
  path: string,
  options: { format?: DatasetFormat } & JsonlOptions = {},
): Promise<LoadedDataset> {
  try {
    await stat(path);
  } catch (error) {
    throw new UserError('dataset-missing', `No dataset file at ${path}`, {
      cause: error,
      hint: 'pass the benchmark file with --data (VLMEvalKit .tsv, Hugging Face .parquet or .jsonl)',
    });
  }
  const format = options.format ?? formatFromExtension(path);
  switch (format) {
    case 'vlmevalkit-tsv':
      return loadVlmevalkitTsv(path);
    case 'hf-parquet':
      return loadHfParquet(path);
    case 'jsonl':
      return loadJsonl(path, options);
  }
}

export function formatFromExtension(path: string): DatasetFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.tsv') return 'vlmevalkit-tsv';
  if (extension === '.parquet') return 'hf-parquet';
  if (extension === '.jsonl' || extension === '.json') return 'jsonl';
  throw new UserError('dataset-format', `Cannot tell the format of ${path} from its extension`, {
    hint: 'use .tsv (VLMEvalKit), .parquet (Hugging Face) or .jsonl/.json (+ image folder)',
  });
}

export async function readImageSource(source: ImageSource): Promise<Uint8Array> {
  return source.kind === 'bytes' ? source.bytes : new Uint8Array(await readFile(source.path));
}
