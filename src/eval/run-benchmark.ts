import { resolve } from 'node:path';
import type { BadRow, DatasetFormat } from './datasets/dataset-row.js';
import { loadDataset } from './datasets/load-dataset.js';
import { findBenchmark } from './registry/benchmarks.js';
import { buildItems } from './registry/build-items.js';
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
  format?: DatasetFormat;
  imageDirectory?: string;
  extra?: Record<string, unknown>;
  runItem: RunItem;
  scorer: Scorer;
  signal?: AbortSignal;
  onProgress?: (progress: EvalProgress) => void;
};

export type BenchmarkRunResult = {
  summary: EvalSummary;
  badRows: BadRow[];
  itemCount: number;
  storePath: string;
};

/** Loads the data, builds items, opens (or resumes) the store and runs every remaining item. */
export async function runBenchmark(options: RunBenchmarkOptions): Promise<BenchmarkRunResult> {
  const definition = findBenchmark(options.benchmark);
  const dataset = await loadDataset(options.dataPath, {
    ...(options.format ? { format: options.format } : {}),
    ...(options.imageDirectory ? { imageDirectory: options.imageDirectory } : {}),
  });
  const shuffleOptions = options.shuffleOptions ?? definition.shuffleOptions;
  const built = buildItems(definition, dataset.rows, { seed: options.seed, shuffleOptions });
  const items = options.limit === undefined ? built.items : built.items.slice(0, options.limit);
  const badRows = [...dataset.badRows, ...built.badRows].sort(
    (left, right) => left.rowNumber - right.rowNumber,
  );
  const store = RunStore.open(
    options.runDirectory,
    {
      benchmark: definition.name,
      dataPath: resolve(options.dataPath),
      models: options.models,
      mode: options.mode,
      seed: options.seed,
      shuffleOptions,
      judge: options.judge,
      extra: options.extra ?? {},
    },
    { resume: options.resume },
  );
  try {
    store.addItems([], badRows);
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
