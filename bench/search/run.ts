/**
 * Search benchmark: builds the offline BM25 index over a synthetic corpus (100k and 1M passages by
 * default), then times queries and cache hits. Prints medians and percentiles; never asserts.
 *
 *   npx tsx bench/search/run.ts [--sizes 100000,1000000] [--queries 1000] [--index-dir DIR]
 *
 * Build rate counts only index writes (corpus generation is timed apart); the FTS5 segment merge
 * and the common-word counts ("optimize") are reported separately. Files go to a temporary folder
 * that is always removed; with `--index-dir` the indexes are kept there and reused by later runs
 * (delete the folder when done).
 */
import { existsSync, mkdtempSync, renameSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OfflineTextSearch } from '../../src/search/offline-providers.js';
import { cachedSearchProvider, SearchCache } from '../../src/search/search-cache.js';
import type { SearchProvider } from '../../src/search/search-provider.js';
import { TextIndex } from '../../src/search/text/text-index.js';
import {
  makeVocabulary,
  type SyntheticPassage,
  syntheticPassages,
  syntheticQueries,
  type Vocabulary,
} from './synthetic-corpus.js';

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : process.argv[index + 1]!;
};
const sizes = argument('sizes', '100000,1000000').split(',').map(Number);
const queryCount = Number(argument('queries', '1000'));
/** Keep built indexes in this folder and reuse them on the next run (skips the ~3 min 1M build). */
const keptIndexDir = argument('index-dir', '');
const BATCH = 10_000;

const percentile = (sorted: number[], fraction: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]!;
const summary = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), max: sorted.at(-1)! };
};

async function timeQueries(provider: SearchProvider, queries: string[]): Promise<number[]> {
  const times: number[] = [];
  for (const query of queries) {
    const started = performance.now();
    await provider.search(query, { limit: 5 });
    times.push(performance.now() - started);
  }
  return times;
}

type BuildTimes = { writeMs: number; generateMs: number; optimizeMs: number };

function buildIndex(path: string, size: number, vocabulary: Vocabulary): BuildTimes {
  const index = TextIndex.open(path, { create: true });
  index.setBulkLoading(true);
  let generateMs = 0;
  let writeMs = 0;
  for (let start = 0; start < size; start += BATCH) {
    let started = performance.now();
    const batch: SyntheticPassage[] = [
      ...syntheticPassages(vocabulary, start, Math.min(BATCH, size - start)),
    ];
    generateMs += performance.now() - started;
    started = performance.now();
    index.add(batch);
    writeMs += performance.now() - started;
  }
  const started = performance.now();
  index.optimize();
  const optimizeMs = performance.now() - started;
  index.setBulkLoading(false);
  index.close();
  return { writeMs, generateMs, optimizeMs };
}

async function benchSize(size: number, dir: string): Promise<void> {
  const vocabulary = makeVocabulary(200_000);
  const path = join(keptIndexDir || dir, `bench-${size}.sqlite`);
  // A kept index is reused only when complete (the build renames it into place at the end).
  const reused = keptIndexDir !== '' && existsSync(path);
  let build: BuildTimes | undefined;
  if (!reused) {
    const building = `${path}.building`;
    rmSync(building, { force: true });
    build = buildIndex(building, size, vocabulary);
    renameSync(building, path);
  }
  const sizeMb = statSync(path).size / 1e6;

  const reader = TextIndex.open(path, { readonly: true });
  const provider = new OfflineTextSearch(reader);
  // The same queries with direct scoring off (every pass ranked by FTS5's bm25()), to show what it
  // saves. The two alternate in chunks, so a change in machine load hits both alike.
  const fts5Only = TextIndex.open(path, { readonly: true, directScoring: 'off' });
  const fts5Provider = new OfflineTextSearch(fts5Only);
  const queries = syntheticQueries(vocabulary, size, queryCount);
  await timeQueries(provider, queries.slice(0, 100)); // warm the page cache
  await timeQueries(fts5Provider, queries.slice(0, 100));
  const directTimes: number[] = [];
  const fts5Times: number[] = [];
  for (let start = 0; start < queries.length; start += 50) {
    const chunk = queries.slice(start, start + 50);
    // Whichever runs a chunk second finds its pages warm from the first: take turns going first.
    if (start % 100 === 0) {
      directTimes.push(...(await timeQueries(provider, chunk)));
      fts5Times.push(...(await timeQueries(fts5Provider, chunk)));
    } else {
      fts5Times.push(...(await timeQueries(fts5Provider, chunk)));
      directTimes.push(...(await timeQueries(provider, chunk)));
    }
  }
  const cold = summary(directTimes);
  const fts5 = summary(fts5Times);
  fts5Only.close();

  const cache = SearchCache.open(join(dir, `cache-${size}.sqlite`));
  const cached = cachedSearchProvider(provider, cache, { mode: 'record' });
  await timeQueries(cached, queries); // record
  const hits = summary(await timeQueries(cached, queries));
  cache.close();
  reader.close();

  console.log(`\n== ${size.toLocaleString('en')} passages (${sizeMb.toFixed(0)} MB index) ==`);
  if (build) {
    const { writeMs, generateMs, optimizeMs } = build;
    console.log(
      `build: ${Math.round(size / (writeMs / 1000)).toLocaleString('en')} passages/s (${(writeMs / 1000).toFixed(1)} s of index writes; corpus generation ${(generateMs / 1000).toFixed(1)} s apart)`,
    );
    console.log(
      `optimize (segment merge + word counts): ${(optimizeMs / 1000).toFixed(1)} s; total build ${((writeMs + optimizeMs) / 1000).toFixed(1)} s`,
    );
  } else {
    console.log(`build: skipped, reused ${path}`);
  }
  console.log(
    `BM25 query, top 5, ${queries.length} queries: p50 ${cold.p50.toFixed(2)} ms, p95 ${cold.p95.toFixed(2)} ms, max ${cold.max.toFixed(1)} ms`,
  );
  console.log(
    `  same queries, direct scoring off (bm25() only): p50 ${fts5.p50.toFixed(2)} ms, p95 ${fts5.p95.toFixed(2)} ms; ratio p50 ${(fts5.p50 / cold.p50).toFixed(2)}×`,
  );
  console.log(
    `cache hit (SQLite, record mode): p50 ${(hits.p50 * 1000).toFixed(0)} µs, p95 ${(hits.p95 * 1000).toFixed(0)} µs; ratio query/hit p50 ${(cold.p50 / hits.p50).toFixed(0)}×`,
  );
}

const dir = mkdtempSync(join(tmpdir(), 'deepeyes-bench-search-'));
const cleanup = () => rmSync(dir, { recursive: true, force: true });
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});
try {
  console.log(
    `search bench: node ${process.version}, load average ${loadavg()
      .map((value) => value.toFixed(2))
      .join(' ')}`,
  );
  for (const size of sizes) await benchSize(size, dir);
} finally {
  cleanup();
}
