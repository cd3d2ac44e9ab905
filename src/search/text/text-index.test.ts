import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import Database from 'better-sqlite3';
import * as parquet from 'parquet-wasm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTextIndex } from './build-text-index.js';
import { excerptAround } from './excerpt.js';
import { TextIndex } from './text-index.js';
import { readWordCounts } from './word-counts.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deepeyes-text-index-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const passages = [
  {
    id: 'a',
    title: 'Kestrel Point Lighthouse',
    text: 'Kestrel Point Lighthouse was first lit in 1871 and is 34 metres tall.',
    url: 'https://w.example/kestrel',
  },
  {
    id: 'b',
    title: 'Kestrel Head Beacon',
    text: 'A small beacon on Kestrel Head, first lit in 1902, 18 metres tall.',
    date: 'Mar 3, 2024',
  },
  { id: 'c', title: 'Saltmere', text: 'Saltmere is a fishing town. Its lighthouse is painted white.' },
  {
    id: 'd',
    title: 'Gull',
    text: 'The gull is a seabird. Gulls nest on cliffs; a gull colony lives on Skarholm. Gull gull gull.',
  },
  { id: 'e', title: 'Skarholm', text: 'Skarholm is an island with a granite quarry and a seabird colony.' },
];

function writeCorpus(name: string, rows: unknown[]): string {
  const path = join(dir, name);
  writeFileSync(path, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`);
  return path;
}

describe('TextIndex', () => {
  it('ranks the passage holding every query word first, and a title match above a passing mention', async () => {
    await buildTextIndex({ corpus: writeCorpus('c.jsonl', passages), out: join(dir, 'i.sqlite') });
    const index = TextIndex.open(join(dir, 'i.sqlite'), { readonly: true });
    const hits = index.search('When was Kestrel Point Lighthouse first lit?', 5);
    expect(hits[0]).toEqual({
      title: 'Kestrel Point Lighthouse',
      link: 'https://w.example/kestrel',
      snippet: 'Kestrel Point Lighthouse was first lit in 1871 and is 34 metres tall.',
    });
    // Relaxed matches follow: the other Kestrel passage before the town that only mentions a lighthouse.
    expect(hits.map((hit) => hit.title)).toEqual([
      'Kestrel Point Lighthouse',
      'Kestrel Head Beacon',
      'Saltmere',
    ]);
    expect(hits[1]).toMatchObject({ date: 'Mar 3, 2024', link: 'passage:b' });
    index.close();
  });

  it('weighs term frequency and rarity: the passage about gulls beats one mentioning a colony', async () => {
    await buildTextIndex({ corpus: writeCorpus('c.jsonl', passages), out: join(dir, 'i.sqlite') });
    const index = TextIndex.open(join(dir, 'i.sqlite'), { readonly: true });
    expect(index.search('gull colony', 3).map((hit) => hit.title)).toEqual(['Gull', 'Skarholm']);
    // Stemming: "gulls" and "colonies" still find them.
    expect(index.search('gulls colonies', 1)[0]?.title).toBe('Gull');
    index.close();
  });

  it('treats FTS5 syntax in a query as words, never as an error', async () => {
    await buildTextIndex({ corpus: writeCorpus('c.jsonl', passages), out: join(dir, 'i.sqlite') });
    const index = TextIndex.open(join(dir, 'i.sqlite'), { readonly: true });
    for (const query of [
      '"unbalanced',
      'title:Saltmere',
      'Kestrel AND OR NOT',
      'a* (b',
      '-Skarholm ^ NEAR(x y)',
      '',
    ]) {
      expect(() => index.search(query, 5)).not.toThrow();
    }
    expect(index.search('title:Saltmere', 1)[0]?.title).toBe('Saltmere');
    expect(index.search('   ', 5)).toEqual([]);
    index.close();
  });

  it('adds passages incrementally and replaces a passage whose id already exists', async () => {
    const out = join(dir, 'i.sqlite');
    const first = await buildTextIndex({ corpus: writeCorpus('one.jsonl', passages.slice(0, 3)), out });
    expect(first).toMatchObject({ passages: 3, added: 3, total: 3 });
    const second = await buildTextIndex({
      corpus: writeCorpus('two.jsonl', [
        ...passages.slice(3),
        { id: 'c', title: 'Saltmere', text: 'Saltmere now has a ferry pier.' },
      ]),
      out,
    });
    expect(second).toMatchObject({ passages: 3, added: 2, total: 5 });
    // Both builds leave word counts for the index as it now is.
    const raw = new Database(out, { readonly: true });
    expect(readWordCounts(raw)).not.toBeNull();
    raw.close();
    const index = TextIndex.open(out, { readonly: true });
    expect(index.search('Skarholm granite', 1)[0]?.title).toBe('Skarholm');
    expect(index.search('ferry pier', 1)[0]?.snippet).toBe('Saltmere now has a ferry pier.');
    // The replaced text is gone from the full-text index too, not just from the passage table.
    expect(index.search('painted white', 5).map((hit) => hit.title)).not.toContain('Saltmere');
    index.close();
  });

  it('reports progress while building and names the bad line of a corpus', async () => {
    const fractions: number[] = [];
    const rows = Array.from({ length: 12_000 }, (_, index) => ({
      id: index,
      title: `Item ${index}`,
      text: `word${index % 50} filler text`,
    }));
    await buildTextIndex({
      corpus: writeCorpus('big.jsonl', rows),
      out: join(dir, 'big.sqlite'),
      onProgress: (progress) => fractions.push(progress.passages),
    });
    expect(fractions).toEqual([5000, 10000, 12000]);
    const bad = writeCorpus('bad.jsonl', [passages[0], { id: 'x', title: 'no text' }]);
    await expect(buildTextIndex({ corpus: bad, out: join(dir, 'bad.sqlite') })).rejects.toThrow(
      /bad\.jsonl:2 is not a passage/,
    );
  });

  it('builds from a parquet corpus (int64 ids, missing urls)', async () => {
    const table = tableFromArrays({
      id: BigInt64Array.from([1n, 2n]),
      title: ['Alpha', 'Beta'],
      text: ['alpha passage about tides', 'beta passage about cranes'],
      url: ['https://a.example', null as unknown as string],
    });
    const corpus = join(dir, 'c.parquet');
    writeFileSync(corpus, parquet.writeParquet(parquet.Table.fromIPCStream(tableToIPC(table, 'stream'))));
    expect(await buildTextIndex({ corpus, out: join(dir, 'p.sqlite') })).toMatchObject({
      passages: 2,
      total: 2,
    });
    const index = TextIndex.open(join(dir, 'p.sqlite'), { readonly: true });
    expect(index.search('cranes', 5)).toEqual([
      { title: 'Beta', link: 'passage:2', snippet: 'beta passage about cranes' },
    ]);
    expect(index.search('tides', 5)[0]?.link).toBe('https://a.example');
    index.close();
  });

  it('refuses to open a file that is not a text index', () => {
    writeFileSync(join(dir, 'x.sqlite'), '');
    expect(() => TextIndex.open(join(dir, 'missing.sqlite'))).toThrow(/cannot open text index/);
    expect(() => TextIndex.open(join(dir, 'x.sqlite'))).toThrow(/not a deepeyes text index/);
  });
});

describe('excerptAround', () => {
  const text = `${'Lorem ipsum dolor sit amet. '.repeat(20)}The tower is 34 metres tall. ${'More filler words here. '.repeat(20)}`;

  it('keeps short passages whole and cuts long ones around the first matched word', () => {
    expect(excerptAround('short text', ['tower'], 100)).toBe('short text');
    const excerpt = excerptAround(text, ['tower'], 120);
    expect(excerpt).toContain('The tower is 34 metres tall.');
    expect(excerpt.startsWith('…')).toBe(true);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(excerpt.length).toBeLessThanOrEqual(122);
  });
});
