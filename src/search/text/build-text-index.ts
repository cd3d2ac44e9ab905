import { buildAtomically } from '../build-atomically.js';
import type { Passage } from './passage.js';
import { openCorpus } from './read-corpus.js';
import { TextIndex } from './text-index.js';

export type BuildProgress = { passages: number; fraction: number; elapsedMs: number };

export type BuildTextIndexResult = {
  passages: number;
  added: number;
  /** Passages whose id was already there (earlier in the corpus, or in the index being extended). */
  replaced: number;
  /** The first few replaced ids, to find them in the corpus. */
  replacedIds: string[];
  total: number;
  elapsedMs: number;
  passagesPerSecond: number;
};

const BATCH = 5000;
const REPLACED_IDS_KEPT = 5;

/**
 * Adds a corpus file to an index (creating it when absent): batched transactions, progress after
 * every batch, FTS5 segments merged at the end of a fresh build, common words counted at the end of
 * every build (see `TextIndex.refreshWordCounts`).
 */
export async function buildTextIndex(options: {
  corpus: string;
  out: string;
  /** Merge segments afterwards (default: only for a fresh index). */
  optimize?: boolean;
  onProgress?: (progress: BuildProgress) => void;
}): Promise<BuildTextIndexResult> {
  const started = performance.now();
  const reader = await openCorpus(options.corpus);
  // Built on a copy and moved into place when complete: a bad row or a kill mid-build leaves no empty
  // or half-built index under the real name, and an index being extended keeps its old content.
  return buildAtomically(options.out, (path) => addCorpus(path, reader, options, started));
}

async function addCorpus(
  path: string,
  reader: Awaited<ReturnType<typeof openCorpus>>,
  options: { optimize?: boolean; onProgress?: (progress: BuildProgress) => void },
  started: number,
): Promise<BuildTextIndexResult> {
  const index = TextIndex.open(path, { create: true });
  try {
    const fresh = index.stats().passages === 0;
    index.setBulkLoading(true);
    let batch: Passage[] = [];
    let added = 0;
    let seen = 0;
    const replacedIds: string[] = [];
    const flush = () => {
      added += index.add(batch, (id) => {
        if (replacedIds.length < REPLACED_IDS_KEPT) replacedIds.push(id);
      });
      seen += batch.length;
      batch = [];
      options.onProgress?.({ ...reader.progress(), passages: seen, elapsedMs: performance.now() - started });
    };
    for await (const passage of reader.passages) {
      batch.push(passage);
      if (batch.length >= BATCH) flush();
    }
    flush();
    if (options.optimize ?? fresh) index.optimize();
    else index.refreshWordCounts();
    index.setBulkLoading(false);
    const elapsedMs = performance.now() - started;
    return {
      passages: seen,
      added,
      replaced: seen - added,
      replacedIds,
      total: index.stats().passages,
      elapsedMs,
      passagesPerSecond: seen / Math.max(elapsedMs / 1000, 1e-9),
    };
  } finally {
    index.close();
  }
}
