import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { UserError } from '../../errors.js';
import type { DatasetFormat, DatasetScan } from './dataset-row.js';
import type { ScanOptions } from './scan-options.js';

export { readImageSource } from './read-image-source.js';

/**
 * Reads a data file's rows (streaming; images stay on disk as references), picking the loader from
 * the extension (`.tsv`, `.parquet`, `.jsonl`/`.json`) unless told. With `shouldStop` it reads only
 * as far as needed; with `previous` it continues an earlier scan.
 */
export async function scanDataset(
  path: string,
  options: { format?: DatasetFormat } & ScanOptions = {},
): Promise<DatasetScan> {
  let isDirectory = false;
  try {
    isDirectory = (await stat(path)).isDirectory();
  } catch (error) {
    throw new UserError('dataset-missing', `No dataset file at ${path}`, {
      cause: error,
      hint: 'pass the benchmark file with --data (VLMEvalKit .tsv, Hugging Face .parquet or .jsonl)',
    });
  }
  if (isDirectory) {
    throw new UserError('dataset-is-directory', `${path} is a directory, not a data file`, {
      hint: 'pass the benchmark file itself with --data (VLMEvalKit .tsv, Hugging Face .parquet or .jsonl)',
    });
  }
  const format = options.format ?? formatFromExtension(path);
  // Each loader is imported when its format is met (the parquet one brings its decompressors).
  switch (format) {
    case 'vlmevalkit-tsv':
      return (await import('./load-vlmevalkit-tsv.js')).scanVlmevalkitTsv(path, options);
    case 'hf-parquet':
      return (await import('./load-hf-parquet.js')).scanHfParquet(path, options);
    case 'jsonl':
      return (await import('./load-jsonl.js')).scanJsonl(path, options);
  }
}

/** The whole file's rows: `scanDataset` without stopping early. */
export function loadDataset(
  path: string,
  options: { format?: DatasetFormat; imageDirectory?: string } = {},
): Promise<DatasetScan> {
  return scanDataset(path, options);
}

export function formatFromExtension(path: string): DatasetFormat {
  const extension = extname(path).toLowerCase();
  if (extension === '.tsv') return 'vlmevalkit-tsv';
  if (extension === '.parquet') return 'hf-parquet';
  if (extension === '.jsonl' || extension === '.json') return 'jsonl';
  throw new UserError('dataset-format', `Cannot tell the format of ${path} from its extension`, {
    hint: 'use .tsv (VLMEvalKit), .parquet (Hugging Face) or .jsonl/.json (+ image folder), or --format',
  });
}
