import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_SEARCH_DIR } from '../../search/demo-indexes.js';
import { TextIndex } from '../../search/text/text-index.js';
import { memoryIO } from '../io.js';
import { indexCommand, optimizeCommand } from './index-build.js';
import { registerSearchCommands, searchCommand } from './search.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deepeyes-cli-search-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('deepeyes index / search', () => {
  it('builds a text index, adds to it, and searches it', async () => {
    const io = memoryIO();
    const corpus = join(dir, 'c.jsonl');
    writeFileSync(
      corpus,
      `${JSON.stringify({ id: 1, title: 'Harbour', text: 'The harbour has a red crane.' })}\n`,
    );
    const out = join(dir, 'i.sqlite');
    await indexCommand('build', { corpus, out }, io);
    writeFileSync(
      corpus,
      `${JSON.stringify({ id: 2, title: 'Crane', text: 'A crane lifts containers.', url: 'https://c.example' })}\n`,
    );
    await indexCommand('add', { corpus, out }, io);
    expect(io.stdout.join('')).toMatch(/1 passages read, 1 new, 0 replaced, 2 in the index/);
    const result = await searchCommand({ index: out, query: 'crane', json: true }, io, {});
    expect(result.hits.map((hit) => hit.title)).toEqual(['Crane', 'Harbour']);
    const printed = JSON.parse(io.stdout.at(-1)!);
    expect(printed.provider).toBe('local');
    expect(printed.hits[0]).toEqual({
      title: 'Crane',
      link: 'https://c.example',
      snippet: 'A crane lifts containers.',
    });
  });

  it('optimizes an index built without the merge, storing its common-word counts', async () => {
    const io = memoryIO();
    const corpus = join(dir, 'c.jsonl');
    const lines = Array.from({ length: 150 }, (_, id) =>
      JSON.stringify({ id, title: `Item ${id}`, text: `harbour crane number ${id}` }),
    );
    writeFileSync(corpus, `${lines.join('\n')}\n`);
    const out = join(dir, 'i.sqlite');
    await indexCommand('build', { corpus, out, optimize: false }, io);
    const before = TextIndex.open(out);
    before.add([{ id: 'late', title: 'Late', text: 'a harbour crane arrives' }]); // writes drop the counts
    expect(before.hasWordCounts()).toBe(false);
    before.close();
    expect(optimizeCommand({ index: out }, io).passages).toBe(151);
    expect(io.stdout.at(-1)).toMatch(/151 passages, segments merged, common-word counts stored/);
    const after = TextIndex.open(out, { readonly: true });
    expect(after.hasWordCounts()).toBe(true);
    expect(after.search('harbour crane', 3).length).toBe(3);
    after.close();
    expect(() => optimizeCommand({ index: join(dir, 'none.sqlite') }, io)).toThrow(/no index at/);
  });

  it('refuses add to a missing index and asks for exactly one input', async () => {
    const io = memoryIO();
    await expect(
      indexCommand('add', { corpus: 'x.jsonl', out: join(dir, 'none.sqlite') }, io),
    ).rejects.toThrow(/no index at/);
    await expect(indexCommand('build', { out: join(dir, 'i.sqlite') }, io)).rejects.toThrow(
      /exactly one of --corpus or --images/,
    );
  });

  it('builds an image index and finds a picture from a crop of it, through commander', async () => {
    const io = memoryIO();
    const program = new Command('deepeyes').exitOverride();
    registerSearchCommands(program, io);
    const out = join(dir, 'images.sqlite');
    await program.parseAsync(
      ['index', 'build', '--images', join(DEMO_SEARCH_DIR, 'images.jsonl'), '--out', out],
      { from: 'user' },
    );
    expect(io.stdout.join('')).toMatch(/24 pictures indexed, 0 replaced, 24 in the index/);
    await program.parseAsync(
      [
        'search',
        '--image-index',
        out,
        '--image',
        join(DEMO_SEARCH_DIR, 'images/the-amber-tide.jpg'),
        '--crop',
        '0.2,0.2,0.9,0.9',
        '--limit',
        '1',
      ],
      { from: 'user' },
    );
    expect(io.stdout.at(-2)).toBe('1 result(s) from local\n');
    expect(io.stdout.at(-1)).toBe(
      '1. The Amber Tide by Mira Solberg (oil on canvas, 1923)\n   https://example.org/art/amber-tide\n',
    );
  });
});
