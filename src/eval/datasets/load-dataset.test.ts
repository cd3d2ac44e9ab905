import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findBenchmark } from '../registry/benchmarks.js';
import { buildItems } from '../registry/build-items.js';
import { loadDataset } from './load-dataset.js';
import { parseTsv } from './parse-tsv.js';
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
    const shared = dataset.rows[6]!.images[0]!;
    const original = dataset.rows[0]!.images[0]!;
    expect(shared.kind === 'bytes' && original.kind === 'bytes' && shared.bytes).toEqual(
      original.kind === 'bytes' && original.bytes,
    );
    expect(shared.kind === 'bytes' && sniffImageType(shared.bytes)).toBe('png');
  });

  it('reports corrupt rows with their index and keeps the rest', async () => {
    const dataset = await loadDataset(join(fixtures, 'tsv', 'vstar-sample.tsv'));
    expect(dataset.badRows).toEqual([
      { rowNumber: 7, id: '7', reason: 'image 1 is not base64 of a PNG/JPEG/GIF/WebP/BMP/TIFF image' },
      { rowNumber: 8, id: '8', reason: 'line 11: 4 cells, header has 12' },
    ]);
  });

  it('parses pandas quoting: doubled quotes, tabs and CRLF', () => {
    expect(parseTsv('a\tb\r\n"x ""y""\tz"\t2\n')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 2, cells: ['x "y"\tz', '2'] },
    ]);
  });
});

describe('Hugging Face parquet loader', () => {
  it('reads image structs as bytes, lists, and 64-bit integers as numbers', async () => {
    const dataset = await loadDataset(join(fixtures, 'parquet', 'mathvista-sample.parquet'));
    expect(dataset.rows).toHaveLength(5);
    const second = dataset.rows[1]!;
    expect(second.fields).toMatchObject({ pid: 'mv-2', answer: '0.5', precision: 1 });
    expect(dataset.rows[2]!.fields.choices).toEqual(['circle', 'square', 'triangle']);
    expect(second.images[0]!.kind === 'bytes' && sniffImageType(second.images[0]!.bytes)).toBe('png');
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
    expect(dataset.badRows.map((row) => [row.rowNumber, row.id])).toEqual([
      [3, 'ocr-4'],
      [4, undefined],
    ]);
    expect(dataset.badRows[0]!.reason).toContain('missing.png not found');
    expect(dataset.badRows[1]!.reason).toMatch(/^line 5: not JSON/);
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
