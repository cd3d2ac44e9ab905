import type { Hash } from 'node:crypto';
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { UserError } from '../errors.js';
import type { BadRow, DatasetFormat, DatasetRow, DatasetScan } from './datasets/dataset-row.js';
import { type DataFingerprint, digestSoFar, hashFilePrefix } from './datasets/file-fingerprint.js';
import { scanDataset } from './datasets/load-dataset.js';
import type { EvalItem } from './eval-item.js';
import type { BenchmarkDefinition } from './registry/benchmark-definition.js';
import { buildItems } from './registry/build-items.js';

export type LoadItemsOptions = {
  dataPath: string;
  definition: BenchmarkDefinition;
  seed: number;
  shuffleOptions: boolean;
  /** Only the first N items: the file is read only as far as they need. */
  limit?: number;
  format?: DatasetFormat;
  imageDirectory?: string;
  /** A resumed run's stored scan: its content hash is checked, then reading continues from it. */
  stored?: { scan: DatasetScan; fingerprint: DataFingerprint };
  /** Named in the error when the data changed under a resumed run. */
  runDirectory: string;
};

export type LoadedItems = {
  items: EvalItem[];
  badRows: BadRow[];
  scan: DatasetScan;
  fingerprint: DataFingerprint;
};

/**
 * The run's items: from the stored scan when it already holds enough (a resume re-reads nothing
 * but the hash check), else by reading the data file as far as `limit` needs (all of it without).
 */
export async function loadItems(options: LoadItemsOptions): Promise<LoadedItems> {
  const { definition, limit } = options;
  const build = (rows: readonly DatasetRow[]) =>
    buildItems(
      definition,
      [...rows].sort((left, right) => left.rowNumber - right.rowNumber),
      { seed: options.seed, shuffleOptions: options.shuffleOptions },
    );
  let hash: Hash;
  let hashedBytes = 0;
  let scan = options.stored?.scan;
  if (options.stored) {
    const verified = await verifyFingerprint(options.dataPath, options.stored, options.runDirectory);
    hash = verified.hash;
    hashedBytes = verified.read;
    // A scan continues only from exactly where its hash stopped; anything else reads afresh.
    if (!scan!.complete && scan!.fingerprintScope === 'prefix' && scan!.cursor.offset !== hashedBytes) {
      scan = undefined;
      hash = createHash('sha256');
      hashedBytes = 0;
    }
  } else {
    hash = createHash('sha256');
  }
  const enough = (rows: readonly DatasetRow[]) => limit !== undefined && build(rows).items.length >= limit;
  if (!scan || (!scan.complete && !enough(scan.rows))) {
    // Building items is cheap but not free: check after doubling row counts, from `limit` rows on.
    let nextCheck = limit ?? Number.POSITIVE_INFINITY;
    scan = await scanDataset(options.dataPath, {
      ...(options.format ? { format: options.format } : {}),
      ...(options.imageDirectory ? { imageDirectory: options.imageDirectory } : {}),
      ...(scan ? { previous: scan } : {}),
      onBytes: (bytes) => {
        hash.update(bytes);
        hashedBytes += bytes.length;
      },
      ...(limit === undefined
        ? {}
        : {
            shouldStop: (rows: readonly DatasetRow[]) => {
              if (rows.length < nextCheck) return false;
              nextCheck = rows.length * 2;
              return enough(rows);
            },
          }),
    });
  }
  if (scan.fingerprintScope === 'whole' && !options.stored) {
    const whole = await hashFilePrefix(options.dataPath);
    hash = whole.hash;
    hashedBytes = whole.read;
  }
  const fingerprint = { bytes: hashedBytes, sha256: digestSoFar(hash) };
  const built = build(scan.rows);
  const items = limit === undefined ? built.items : built.items.slice(0, limit);
  const badRows = [...scan.badRows, ...built.badRows].sort((left, right) => left.rowNumber - right.rowNumber);
  return { items, badRows, scan, fingerprint };
}

/** Hashes what the stored scan read of the file now; refuses the resume when it differs. */
async function verifyFingerprint(
  path: string,
  stored: { scan: DatasetScan; fingerprint: DataFingerprint },
  runDirectory: string,
): Promise<{ hash: Hash; read: number }> {
  const { scan, fingerprint } = stored;
  const size = (await stat(path)).size;
  const prefixOnly = scan.fingerprintScope === 'prefix' && !scan.complete;
  const result = await hashFilePrefix(path, prefixOnly ? fingerprint.bytes : undefined);
  const same =
    result.read === fingerprint.bytes &&
    digestSoFar(result.hash) === fingerprint.sha256 &&
    (prefixOnly || size === fingerprint.bytes);
  if (!same) {
    throw new UserError(
      'resume-data-changed',
      `Cannot resume ${runDirectory}: ${path} has changed since the run read it (content hash differs${!prefixOnly && size !== fingerprint.bytes ? `; ${fingerprint.bytes} bytes then, ${size} now` : ''})`,
      {
        hint: 'resuming would mix results of two different files: restore the original file, or start a new run with another --out',
      },
    );
  }
  return result;
}
