import { resolve } from 'node:path';
import { UserError } from '../errors.js';
import type { BadRow, DatasetFormat } from './datasets/dataset-row.js';
import { loadItems } from './load-items.js';
import { findBenchmark } from './registry/benchmarks.js';
import { type EvalSummary, runEvaluation } from './runner/run-evaluation.js';
import type { RunItem } from './runner/run-item.js';
import type { EvalProgress } from './runner/run-progress.js';
import { type RunConfig, RunStore } from './runner/run-store.js';
import type { Scorer } from './scoring/scorer.js';

export type RunBenchmarkOptions = {
  benchmark: string;
  dataPath: string;
  runDirectory: string;
  /** Model identities recorded in the run config (URLs, `replay:<file>`): resume checks them. */
  models: string[];
  mode: RunConfig['mode'];
  concurrency: number;
  /** Only the first N items (after bad rows are dropped). */
  limit?: number;
  seed: number;
  /** Override the benchmark's option shuffling. */
  shuffleOptions?: boolean;
  resume: boolean;
  maxAttempts?: number;
  retryDelayMs?: number;
  /** Judge identity for the run config, null when rules decide. */
  judge: string | null;
  /** Scoring mode and judge name, recorded in the run and shown in reports. */
  scoring?: RunConfig['scoring'];
  format?: DatasetFormat;
  imageDirectory?: string;
  extra?: Record<string, unknown>;
  runItem: RunItem;
  scorer: Scorer;
  signal?: AbortSignal;
  onProgress?: (progress: EvalProgress) => void;
  /** Told once the items are known, before the first runs. */
  onLoaded?: (loaded: { items: number; badRows: number; fromStore: boolean }) => void;
};

export type BenchmarkRunResult = {
  summary: EvalSummary;
  badRows: BadRow[];
  itemCount: number;
  storePath: string;
};

/**
 * Opens (or resumes) the store, loads the items (a resume checks the data file's content hash and
 * reuses the stored row index), and runs every remaining item.
 */
export async function runBenchmark(options: RunBenchmarkOptions): Promise<BenchmarkRunResult> {
  const definition = findBenchmark(options.benchmark);
  const shuffleOptions = options.shuffleOptions ?? definition.shuffleOptions;
  const config: RunConfig = {
    benchmark: definition.name,
    dataPath: resolve(options.dataPath),
    models: options.models,
    mode: options.mode,
    seed: options.seed,
    shuffleOptions,
    judge: options.judge,
    ...(options.scoring ? { scoring: options.scoring } : {}),
    extra: options.extra ?? {},
  };
  const load = (stored?: Parameters<typeof loadItems>[0]['stored']) =>
    loadItems({
      dataPath: options.dataPath,
      definition,
      seed: options.seed,
      shuffleOptions,
      ...(options.limit === undefined ? {} : { limit: options.limit }),
      ...(options.format ? { format: options.format } : {}),
      ...(options.imageDirectory ? { imageDirectory: options.imageDirectory } : {}),
      ...(stored ? { stored } : {}),
      runDirectory: options.runDirectory,
    });
  // An existing run is checked before anything is read; a new one is created only once its data
  // loaded, so a wrong --data leaves no half-made run behind.
  let store: RunStore | undefined;
  let loaded: Awaited<ReturnType<typeof load>>;
  let stored: ReturnType<ReturnType<RunStore['datasetIndex']>['load']>;
  if (RunStore.exists(options.runDirectory)) {
    store = RunStore.open(options.runDirectory, config, { resume: options.resume });
    try {
      stored = store.datasetIndex().load();
      loaded = await load(stored);
    } catch (error) {
      store.close();
      throw error;
    }
  } else {
    loaded = await load();
    store = RunStore.open(options.runDirectory, config, { resume: options.resume });
  }
  try {
    const { items, badRows, scan, fingerprint } = loaded;
    if (scan !== stored?.scan)
      store.datasetIndex().save(scan, fingerprint, stored?.scan.cursor.rowNumber ?? 0);
    store.addItems([], badRows);
    if (items.length === 0) {
      const first = badRows[0];
      throw new UserError(
        'no-items',
        `${options.dataPath} has no row that can be run (${badRows.length} bad row(s))`,
        {
          hint: first
            ? `first bad row ${first.rowNumber}${first.line ? ` (line ${first.line})` : ''}: ${first.reason}`
            : 'the file has no data rows for this benchmark (check --bench and the split)',
        },
      );
    }
    options.onLoaded?.({ items: items.length, badRows: badRows.length, fromStore: scan === stored?.scan });
    const summary = await runEvaluation({
      items,
      store,
      runDirectory: options.runDirectory,
      runItem: options.runItem,
      scorer: options.scorer,
      concurrency: options.concurrency,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    return { summary, badRows, itemCount: items.length, storePath: store.path };
  } finally {
    store.close();
  }
}
