import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Passage } from './passage.js';
import { anyTermExpression, queryTerms } from './query-terms.js';
import { TextIndex } from './text-index.js';
import { readWordCounts } from './word-counts.js';
import { WordStatistics } from './word-statistics.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deepeyes-ranker-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Common words occur in most passages, rare ones in a few; plurals and capitals test that words
// are counted as FTS5 tokenizes them (porter stemming, case folding).
const COMMON = ['harbour', 'crane', 'ship', 'dock', 'cargo', 'tide'];
const RARE = ['kestrel', 'saltmere', 'skarholm', 'granite', 'beacon', 'ferry', 'quarry', 'gull'];

function corpus(count: number): Passage[] {
  let state = 7;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const pick = (words: string[]) => words[Math.floor(random() * words.length)]!;
  return Array.from({ length: count }, (_, index) => {
    const text: string[] = [];
    const length = 5 + Math.floor(random() * 20);
    for (let word = 0; word < length; word += 1) {
      const common = random() < 0.85;
      const chosen = common ? pick(COMMON) : pick(RARE);
      text.push(random() < 0.2 ? `${chosen[0]!.toUpperCase()}${chosen.slice(1)}s` : chosen);
    }
    const title = `${pick(random() < 0.7 ? COMMON : RARE)} ${pick(COMMON)}`;
    return { id: `p${index}`, title, text: text.join(' ') };
  });
}

function buildIndex(passages: Passage[], options: { wordCountsAbove?: number } = {}): string {
  const path = join(dir, 'index.sqlite');
  const index = TextIndex.open(path, { create: true });
  index.add(passages);
  index.refreshWordCounts(options.wordCountsAbove ?? 2);
  index.close();
  return path;
}

const QUERIES = [
  'kestrel harbour',
  'Saltmere cranes ships',
  'granite quarry dock tide',
  'gulls harbours',
  'beacon',
  'harbour crane',
  'ship dock cargo',
  'harbour crane ship tide',
  'ferry kestrel gull skarholm',
];

describe('WordStatistics', () => {
  function expectSameAsFts5(database: Database.Database, statistics: WordStatistics) {
    const bm25 = database.prepare<[string], { rowid: number; score: number }>(
      'SELECT rowid, bm25(passages_fts, 4, 1) AS score FROM passages_fts WHERE passages_fts MATCH ? LIMIT 40',
    );
    let compared = 0;
    for (const query of QUERIES) {
      const terms = queryTerms(query);
      const expected = bm25.all(anyTermExpression(terms));
      statistics.refresh();
      const scores = statistics.score(
        expected.map((row) => row.rowid),
        terms,
      );
      for (const row of expected) {
        expect(scores.get(row.rowid)?.score).toBeCloseTo(row.score, 12);
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(100);
  }

  it("scores passages exactly as FTS5's bm25(), from stored word counts or counted ones", () => {
    const path = buildIndex(corpus(400));
    const database = new Database(path, { readonly: true });
    expect(readWordCounts(database)).not.toBeNull();
    expectSameAsFts5(database, new WordStatistics(database, { title: 4, text: 1 }));
    database.close();

    // A write empties the stored counts; the words are then counted at query time.
    const index = TextIndex.open(path);
    index.add([{ id: 'extra', title: 'Kestrel harbour', text: 'A kestrel over the harbour crane.' }]);
    index.close();
    const after = new Database(path, { readonly: true });
    expect(readWordCounts(after)).toBeNull();
    expectSameAsFts5(after, new WordStatistics(after, { title: 4, text: 1 }));
    after.close();
  });

  it("sees another connection's writes: counts taken before a write are not reused", () => {
    const path = buildIndex(corpus(200));
    const reader = new Database(path, { readonly: true });
    const statistics = new WordStatistics(reader, { title: 4, text: 1 });
    statistics.refresh();
    const kestrelBefore = statistics.passagesHolding('kestrel');

    const writer = TextIndex.open(path);
    writer.add(
      Array.from({ length: 30 }, (_, index) => ({ id: `k${index}`, title: 'Kestrel', text: 'kestrel nest' })),
    );
    writer.close();

    statistics.refresh();
    expect(statistics.passagesHolding('kestrel')).toBe(kestrelBefore + 30);
    expectSameAsFts5(reader, statistics);
    reader.close();
  });
});

describe('TextIndex ranking', () => {
  it('returns the same passages in the same order whether common words are scored directly or by FTS5', () => {
    const path = buildIndex(corpus(600));
    // A small rare-word budget makes the common-word paths run on a small corpus.
    const direct = TextIndex.open(path, {
      readonly: true,
      rareWordPassages: 40,
      directScoring: 'always',
    });
    const byFts5 = TextIndex.open(path, { readonly: true, rareWordPassages: 40, directScoring: 'off' });
    for (const query of QUERIES) {
      const expected = byFts5.search(query, 8);
      expect(expected.length).toBeGreaterThan(0);
      expect(direct.search(query, 8)).toEqual(expected);
    }
    direct.close();
    byFts5.close();
  });

  it('counts the common words a passage holds besides a rare one', () => {
    const path = buildIndex([
      ...corpus(300),
      { id: 'only-rare', title: 'Notes', text: 'osprey seen on a post' },
      { id: 'rare-and-common', title: 'Notes', text: 'osprey seen over the harbour' },
    ]);
    const index = TextIndex.open(path, { readonly: true, rareWordPassages: 40 });
    // Neither passage holds all three words; the one also holding "harbour" (a common word here,
    // so a small but real BM25 part) ranks first. Passages holding only "harbour" are not candidates.
    expect(index.search('osprey harbour lighthouse', 5).map((hit) => hit.link)).toEqual([
      'passage:rare-and-common',
      'passage:only-rare',
    ]);
    index.close();
  });
});
