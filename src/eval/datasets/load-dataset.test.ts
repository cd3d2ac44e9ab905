import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBenchmark } from '../registry/benchmarks.js';
import { buildItems } from '../registry/build-items.js';
import { loadDataset, readImageSource, scanDataset } from './load-dataset.js';
import { readTsvRecords } from './read-tsv-records.js';
import { sniffImageType } from './sniff-image.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'benchmarks');

describe('VLMEvalKit TSV loader', () => {
  it('reads base64 images, quoted multi-line questions and image references by index', async () => {
    const dataset = await loadDataset(join(fixtures, 'tsv', 'vstar-sample.tsv'));
    expect(dataset.format).toBe('vlmevalkit-tsv');
    expect(dataset.rows.map((row) => row.fields.index)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(dataset.rows[2]!.fields.question).toBe(
      'What colour is the circle?\n(Look closely: "circle", not square.)',
    );
    // Images stay in the file until their item runs; row 6 shares row 0's image by index.
    const original = dataset.rows[0]!.images[0]!;
    expect(original.kind).toBe('tsv-cell');
    expect(dataset.rows[6]!.images).toEqual([original]);
    expect(sniffImageType(await readImageSource(original))).toBe('png');
  });

  it('reports corrupt rows with their index and keeps the rest', async () => {
    const dataset = await loadDataset(join(fixtures, 'tsv', 'vstar-sample.tsv'));
    expect(dataset.badRows).toEqual([
      {
        rowNumber: 7,
        line: 10,
        id: '7',
        reason: 'image 1 is not base64 of a PNG/JPEG/GIF/WebP/BMP/TIFF image',
      },
      { rowNumber: 8, line: 11, id: '8', reason: '4 cells, header has 12' },
    ]);
  });

  it('parses pandas quoting: doubled quotes, tabs and CRLF, across chunk boundaries', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-tsv-'));
    const path = join(directory, 'quoting.tsv');
    await writeFile(path, 'a\tb\r\n"x ""y""\tz\nw"\t2\n\nlast\t"');
    for (const chunkBytes of [1, 2, 3, 5, 1024]) {
      const records = [];
      for await (const record of readTsvRecords(path, { chunkBytes }))
        records.push({ line: record.line, cells: record.cells.map((cell) => cell.text) });
      expect(records).toEqual([
        { line: 1, cells: ['a', 'b'] },
        { line: 2, cells: ['x "y"\tz\nw', '2'] },
        { line: 5, cells: ['last', ''] },
      ]);
    }
  });
});

describe('Hugging Face parquet loader', () => {
  it('reads image structs as bytes, lists, and 64-bit integers as numbers', async () => {
    const dataset = await loadDataset(join(fixtures, 'parquet', 'mathvista-sample.parquet'));
    expect(dataset.rows).toHaveLength(5);
    const second = dataset.rows[1]!;
    expect(second.fields).toMatchObject({ pid: 'mv-2', answer: '0.5', precision: 1 });
    expect(dataset.rows[2]!.fields.choices).toEqual(['circle', 'square', 'triangle']);
    expect(second.images[0]).toEqual({ kind: 'parquet', path: expect.any(String), row: 1, column: 'image' });
    expect(sniffImageType(await readImageSource(second.images[0]!))).toBe('png');
  });

  it('reports a row whose image bytes are not an image', async () => {
    const dataset = await loadDataset(join(fixtures, 'parquet', 'mathvista-sample.parquet'));
    expect(dataset.badRows).toEqual([
      {
        rowNumber: 5,
        id: 'mv-6',
        reason: 'column image: image bytes are not a PNG/JPEG/GIF/WebP/BMP/TIFF image',
      },
    ]);
  });

  it('fails with a clear error on a file that is not parquet', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-parquet-'));
    const path = join(directory, 'broken.parquet');
    await writeFile(path, 'not parquet');
    await expect(loadDataset(path)).rejects.toThrow(/not a readable parquet file/);
  });
});

describe('JSONL + image folder loader', () => {
  it('resolves image names in images/ and reports missing files and broken lines', async () => {
    const dataset = await loadDataset(join(fixtures, 'jsonl', 'ocrbench-sample.jsonl'));
    expect(dataset.rows.map((row) => row.fields.id)).toEqual(['ocr-1', 'ocr-2', 'ocr-3']);
    expect(dataset.rows[0]!.images[0]).toEqual({
      kind: 'file',
      path: join(fixtures, 'jsonl', 'images', 'ocr-1.png'),
    });
    expect(dataset.badRows.map((row) => [row.rowNumber, row.line, row.id])).toEqual([
      [3, 4, 'ocr-4'],
      [4, 5, undefined],
    ]);
    expect(dataset.badRows[0]!.reason).toContain('missing.png not found');
    expect(dataset.badRows[1]!.reason).toMatch(/^not JSON/);
  });

  it('accepts a JSON array file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-json-'));
    const path = join(directory, 'set.json');
    await writeFile(path, JSON.stringify([{ id: 'a', question: 'q?', answer: 'yes' }]));
    const dataset = await loadDataset(path);
    expect(dataset.rows).toEqual([
      { rowNumber: 0, fields: { id: 'a', question: 'q?', answer: 'yes' }, images: [] },
    ]);
  });

  it('names the flag to use when the file is missing', async () => {
    await expect(loadDataset('/nonexistent/set.tsv')).rejects.toMatchObject({ code: 'dataset-missing' });
  });
});

describe('RealX-Bench rows', () => {
  it('builds capability combinations and reports bad flags and missing answers', async () => {
    const dataset = await loadDataset(join(fixtures, 'realx', 'realx-sample.jsonl'));
    const { items, badRows } = buildItems(findBenchmark('realx'), dataset.rows, { seed: 0 });
    expect(items).toHaveLength(12);
    const integration = items.find((item) => item.id === 'realx-004')!;
    expect(integration.capabilities).toEqual({ perception: true, search: true, reason: true });
    expect(integration.category).toBe('perception+search+reason');
    expect(items.find((item) => item.id === 'realx-006')!.category).toBe('search');
    expect(badRows.map((row) => row.id)).toEqual(['realx-bad-1', 'realx-bad-2']);
    expect(badRows[0]!.reason).toContain('"perception" must be 0 or 1');
    expect(integration.prompt).toBe(
      'In what year was the team on the poster founded?\nAnswer with a single word or a short phrase.',
    );
    expect((await integration.loadImages())[0]!.length).toBeGreaterThan(100);
  });
});

describe('streaming loaders', () => {
  const png = readFileSync(join(fixtures, 'jsonl', 'images', 'ocr-1.png'));
  const base64 = png.toString('base64');

  it('refuses a TSV without an answer column up front, naming the file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-tsv-'));
    const path = join(directory, 'no-answer.tsv');
    await writeFile(path, `index\timage\tquestion\n0\t${base64}\tWhat?\n`);
    await expect(loadDataset(path)).rejects.toMatchObject({
      code: 'tsv-no-answer',
      message: expect.stringContaining(path),
    });
  });

  it('makes a row with an empty image cell a bad row with its line, and keeps list answers and multi-image cells', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-tsv-'));
    const path = join(directory, 'set.tsv');
    await writeFile(
      path,
      [
        'index\timage\tquestion\tanswer',
        `0\t${base64}\tWhich word?\t['Centre', 'centre']`,
        '1\t\tNo image here?\tyes',
        `2\t['${base64}', '${base64}']\tTwo images?\tno`,
      ].join('\n'),
    );
    const dataset = await loadDataset(path);
    expect(dataset.rows.map((row) => row.fields.answer)).toEqual(["['Centre', 'centre']", 'no']);
    expect(dataset.badRows).toEqual([{ rowNumber: 1, line: 3, id: '1', reason: 'image cell is empty' }]);
    const multi = dataset.rows[1]!.images;
    expect(multi).toHaveLength(2);
    for (const source of multi) expect(Buffer.from(await readImageSource(source))).toEqual(png);
  });

  it('keeps JSON array answers as lists and leaves inline base64 in the file until read', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-jsonl-'));
    const path = join(directory, 'set.jsonl');
    await writeFile(
      path,
      [
        JSON.stringify({ id: 'a', image: base64, question: 'Word?', answer: ['Centre', 'centre'] }),
        JSON.stringify({ id: 'b', image: '', question: 'Nothing?', answer: 'x' }),
      ].join('\n'),
    );
    const dataset = await loadDataset(path);
    expect(dataset.rows[0]!.fields.answer).toEqual(['Centre', 'centre']);
    expect(dataset.rows[0]!.images[0]).toMatchObject({ kind: 'json-line', field: 'image' });
    expect(Buffer.from(await readImageSource(dataset.rows[0]!.images[0]!))).toEqual(png);
    expect(dataset.badRows).toEqual([{ rowNumber: 1, line: 2, id: 'b', reason: 'image is empty' }]);
  });

  it('stops reading when told and continues from its cursor to the same rows as one full read', async () => {
    const path = join(fixtures, 'tsv', 'vstar-sample.tsv');
    const full = await scanDataset(path);
    const first = await scanDataset(path, { shouldStop: (rows) => rows.length >= 2 });
    expect(first.complete).toBe(false);
    expect(first.rows.map((row) => row.rowNumber)).toEqual([0, 1]);
    const rest = await scanDataset(path, { previous: first });
    expect(rest.complete).toBe(true);
    expect(rest.rows).toEqual(full.rows);
    expect(rest.badRows).toEqual(full.badRows);
  });
});
