/**
 * Where a BM25 query's time goes, on an index kept by `run.ts --index-dir DIR`:
 *
 *   npx tsx bench/search/profile-query.ts DIR/bench-1000000.sqlite [--queries 300]
 *
 * Times, per query (p50 and p95 over the bench's synthetic queries): the whole `TextIndex.search`;
 * FTS5 ranking every passage that holds all the query's words, with `ORDER BY rank` and with
 * bm25() sorted by SQLite; the same passages unranked (candidate enumeration only); one full
 * posting-list walk per word (what FTS5's bm25() does on every query to get each word's IDF); how
 * many passages hold every word. Never asserts.
 */
import Database from 'better-sqlite3';
import { allTermsExpression, queryTerms } from '../../src/search/text/query-terms.js';
import { TextIndex } from '../../src/search/text/text-index.js';
import { makeVocabulary, syntheticQueries } from './synthetic-corpus.js';

const path = process.argv[2];
if (!path) throw new Error('usage: profile-query.ts INDEX [--queries N]');
const countIndex = process.argv.indexOf('--queries');
const queryCount = countIndex === -1 ? 300 : Number(process.argv[countIndex + 1]);
const passageCount = Number(/bench-(\d+)/.exec(path)?.[1] ?? 1_000_000);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const time = (work: () => unknown): number => {
  const started = performance.now();
  work();
  return performance.now() - started;
};

const queries = syntheticQueries(makeVocabulary(200_000), passageCount, queryCount);
const index = TextIndex.open(path, { readonly: true });
const database = new Database(path, { readonly: true });
const byRank = database.prepare(
  'SELECT rowid, rank FROM passages_fts WHERE passages_fts MATCH ? ORDER BY rank LIMIT 5',
);
const byBm25 = database.prepare(
  'SELECT rowid, bm25(passages_fts, 4, 1) AS score FROM passages_fts WHERE passages_fts MATCH ? ORDER BY score LIMIT 5',
);
const unranked = database.prepare('SELECT count(*) FROM passages_fts WHERE passages_fts MATCH ?').pluck();

for (const query of queries.slice(0, 50)) index.search(query, 5); // warm the page cache

const samples: Record<string, number[]> = {
  search: [],
  rankAllWords: [],
  bm25AllWords: [],
  enumerateAllWords: [],
  postingWalks: [],
  matches: [],
  sumDocumentFrequency: [],
};
for (const query of queries) {
  const terms = queryTerms(query);
  const expression = allTermsExpression(terms);
  samples.search!.push(time(() => index.search(query, 5)));
  samples.rankAllWords!.push(time(() => byRank.all(expression)));
  samples.bm25AllWords!.push(time(() => byBm25.all(expression)));
  let matches = 0;
  samples.enumerateAllWords!.push(time(() => (matches = unranked.get(expression) as number)));
  samples.matches!.push(matches);
  let documentFrequency = 0;
  samples.postingWalks!.push(
    time(() => {
      for (const term of terms) documentFrequency += unranked.get(allTermsExpression([term])) as number;
    }),
  );
  samples.sumDocumentFrequency!.push(documentFrequency);
}
for (const [name, values] of Object.entries(samples)) {
  const sorted = [...values].sort((a, b) => a - b);
  const p95 = sorted[Math.floor(sorted.length * 0.95)]!;
  console.log(
    `${name.padEnd(22)} p50 ${median(values).toFixed(2).padStart(9)}  p95 ${p95.toFixed(2).padStart(9)}`,
  );
}
index.close();
database.close();
