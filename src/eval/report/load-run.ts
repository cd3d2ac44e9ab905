import { basename, join, resolve } from 'node:path';
import { sqliteFileError } from '../../errors.js';
import { type RunAnalytics, summarizeRun } from '../analytics/summarize-run.js';
import type { BadRow } from '../datasets/dataset-row.js';
import { type RunConfig, RunStore, type StoredItem } from '../runner/run-store.js';

/** A finished (or partial) run as reports read it. */
export type LoadedRun = {
  directory: string;
  /** The run directory's name: name runs after what they are (`sft`, `rl`) to compare them. */
  label: string;
  config: RunConfig;
  createdAt: string | undefined;
  items: StoredItem[];
  badRows: BadRow[];
  analytics: RunAnalytics;
};

export function loadRun(directory: string): LoadedRun {
  let store: RunStore;
  try {
    store = RunStore.openExisting(directory);
  } catch (error) {
    throw sqliteFileError(
      error,
      join(directory, 'run.sqlite'),
      'run store',
      'Pass the --out of a deepeyes eval run; re-run the evaluation if the file is damaged.',
    );
  }
  try {
    const items = store.items();
    return {
      directory: resolve(directory),
      label: basename(resolve(directory)),
      config: store.config()!,
      createdAt: store.createdAt(),
      items,
      badRows: store.badRows(),
      analytics: summarizeRun(items),
    };
  } finally {
    store.close();
  }
}

/** Gives runs with the same directory name distinct labels (`run`, `run (2)`). */
export function distinctLabels(runs: LoadedRun[]): LoadedRun[] {
  const seen = new Map<string, number>();
  return runs.map((run) => {
    const count = (seen.get(run.label) ?? 0) + 1;
    seen.set(run.label, count);
    return count === 1 ? run : { ...run, label: `${run.label} (${count})` };
  });
}
