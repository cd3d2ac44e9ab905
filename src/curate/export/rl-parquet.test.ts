import { parquetMetadata, parquetReadObjects, parquetSchema } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import type { CurationItem } from '../curation-item.js';
import { rlParquet } from './rl-parquet.js';

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
