import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  asyncBufferFromFile,
  parquetMetadata,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from 'hyparquet';
import { wasmMemory } from 'parquet-wasm/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurationItem } from '../curation-item.js';
import { rlParquet, writeRlParquet } from './rl-parquet.js';

const item: CurationItem = {
  id: 'src:1',
  source: 'src',
  category: 'reasoning',
  answerType: 'number',
  question: 'How many?',
  answer: '3',
  images: [],
  origin: { file: 'f', row: 1 },
};
const bytes = new Uint8Array([137, 80, 78, 71]);

async function readBack(file: Uint8Array) {
  const buffer = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const metadata = parquetMetadata(buffer);
  const schema = parquetSchema(metadata);
  const rows = await parquetReadObjects({ file: buffer, utf8: true });
  return { columns: schema.children.map((child) => child.element.name), rows };
}

describe('rlParquet', () => {
  it('should write the DeepEyesV2 fork layout', async () => {
    const { columns, rows } = await readBack(
      rlParquet([{ item, images: [{ bytes, path: 'a.png' }] }], 'deepeyesv2'),
    );
    expect(columns).toEqual(['data_source', 'prompt', 'images', 'reward_model', 'extra_info', 'env_name']);
    const row = rows[0]!;
    expect(row.data_source).toBe('reason');
    expect(row.prompt).toEqual([{ role: 'user', content: '<image>How many?' }]);
    expect(row.env_name).toBe('deepeyes_v2');
    expect(row.reward_model).toEqual({ ground_truth: '3', style: 'model' });
    expect(row.extra_info).toEqual({ index: 'src:1', question: 'How many?' });
    const images = row.images as { bytes: unknown; path: string }[];
    expect(images[0]!.path).toBe('a.png');
  });

  it('should write upstream verl layout with agent_name and tools_kwargs', async () => {
    const { columns, rows } = await readBack(
      rlParquet([{ item, images: [{ bytes, path: 'a.png' }] }], 'verl'),
    );
    expect(columns).toEqual(['data_source', 'prompt', 'images', 'reward_model', 'extra_info', 'agent_name']);
    expect(rows[0]!.agent_name).toBe('deepeyes_agent');
    expect(rows[0]!.extra_info).toEqual({
      index: 'src:1',
      question: 'How many?',
      tools_kwargs: { deepeyes: { create_kwargs: { ground_truth: '3', data_source: 'reason' } } },
    });
  });
});

describe('writeRlParquet', () => {
  const ROWS = 1200;
  const CHUNK = 100;
  const IMAGE_BYTES = 16 * 1024;

  /** Row `index`'s picture: seeded noise (it does not compress), rebuilt for the check instead of kept. */
  function noise(index: number): Uint8Array {
    const bytes = new Uint8Array(IMAGE_BYTES);
    let state = (index * 2654435761 + 1) >>> 0;
    for (let offset = 0; offset < bytes.length; offset++) {
      state = (state * 1103515245 + 12345) >>> 0;
      bytes[offset] = state >>> 24;
    }
    return bytes;
  }
  const rowItem = (index: number): CurationItem => ({
    ...item,
    id: `big:${index}`,
    category: (['perception', 'reasoning', 'search'] as const)[index % 3]!,
    question: `What is on picture ${index}?`,
    answer: String(index),
  });

  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'rl-parquet-'));
  });
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  for (const layout of ['deepeyesv2', 'verl'] as const) {
    it(`should write ${layout} in row groups with bounded memory and read back row by row`, async () => {
      const path = join(directory, `${layout}.parquet`);
      let peakWasm = wasmMemory().buffer.byteLength;
      let wasmAtHalf = 0;
      let pulled = 0;
      async function* chunks() {
        for (let start = 0; start < ROWS; start += CHUNK) {
          peakWasm = Math.max(peakWasm, wasmMemory().buffer.byteLength);
          if (start === ROWS / 2) wasmAtHalf = wasmMemory().buffer.byteLength;
          pulled++;
          yield Array.from({ length: Math.min(CHUNK, ROWS - start) }, (_, offset) => ({
            item: rowItem(start + offset),
            images: [{ bytes: noise(start + offset), path: `${start + offset}.png` }],
          }));
        }
      }
      const written = await writeRlParquet(path, chunks(), layout, { rowGroupRows: CHUNK });
      peakWasm = Math.max(peakWasm, wasmMemory().buffer.byteLength);
      expect(written).toMatchObject({ rows: ROWS, rowGroups: ROWS / CHUNK });
      expect(pulled).toBe(ROWS / CHUNK);
      // One chunk of images is 1.6 MB, the whole export 19.7 MB: the wasm heap holds a few chunks,
      // never all, and does not grow over the second half of the rows.
      expect(peakWasm).toBeLessThan(ROWS * IMAGE_BYTES * 0.75);
      expect(peakWasm - wasmAtHalf).toBeLessThanOrEqual(CHUNK * IMAGE_BYTES);

      const file = await asyncBufferFromFile(path);
      const metadata = await parquetMetadataAsync(file);
      expect(Number(metadata.num_rows)).toBe(ROWS);
      expect(metadata.row_groups).toHaveLength(ROWS / CHUNK);
      // Exactly the columns and types of the one-shot writer for this layout.
      const small = rlParquet([{ item, images: [{ bytes, path: 'a.png' }] }], layout);
      const expected = parquetMetadata(
        small.buffer.slice(small.byteOffset, small.byteOffset + small.byteLength) as ArrayBuffer,
      );
      const shape = (elements: typeof metadata.schema) =>
        elements.map(({ name, type, repetition_type, converted_type, logical_type, num_children }) => ({
          name,
          type,
          repetition_type,
          converted_type,
          logical_type,
          num_children,
        }));
      expect(shape(metadata.schema)).toEqual(shape(expected.schema));
      expect(parquetSchema(metadata).children.map((child) => child.element.name)).toEqual([
        'data_source',
        'prompt',
        'images',
        'reward_model',
        'extra_info',
        layout === 'verl' ? 'agent_name' : 'env_name',
      ]);

      // Row by row, one row group at a time.
      let index = 0;
      for (const group of metadata.row_groups) {
        const rows = await parquetReadObjects({
          file,
          metadata,
          rowStart: index,
          rowEnd: index + Number(group.num_rows),
          // Strings are annotated UTF8; image bytes are plain binary and must stay bytes.
          utf8: false,
        });
        for (const row of rows) {
          const source = rowItem(index);
          const dataSource = ['perception', 'reason', 'search'][index % 3];
          expect(row.data_source).toBe(dataSource);
          expect(row.prompt).toEqual([{ role: 'user', content: `<image>${source.question}` }]);
          expect(row.reward_model).toEqual({ ground_truth: String(index), style: 'model' });
          const images = row.images as { bytes: Uint8Array; path: string }[];
          expect(images).toHaveLength(1);
          expect(images[0]!.path).toBe(`${index}.png`);
          expect(images[0]!.bytes).toBeInstanceOf(Uint8Array);
          expect(Buffer.from(images[0]!.bytes).equals(Buffer.from(noise(index)))).toBe(true);
          if (layout === 'verl') {
            expect(row.agent_name).toBe('deepeyes_agent');
            expect(row.extra_info).toEqual({
              index: source.id,
              question: source.question,
              tools_kwargs: {
                deepeyes: { create_kwargs: { ground_truth: String(index), data_source: dataSource } },
              },
            });
          } else {
            expect(row.env_name).toBe('deepeyes_v2');
            expect(row.extra_info).toEqual({ index: source.id, question: source.question });
          }
          index++;
        }
      }
      expect(index).toBe(ROWS);
    });
  }

  it('should write an empty export and leave no temporary file behind', async () => {
    const path = join(directory, 'empty.parquet');
    expect(await writeRlParquet(path, [], 'deepeyesv2')).toMatchObject({ rows: 0, rowGroups: 0 });
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    expect(Number(metadata.num_rows)).toBe(0);
    expect((await readdir(directory)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
