import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  Binary,
  Field,
  List,
  Struct,
  Table,
  tableToIPC,
  Utf8,
  type Vector,
  vectorFromArray,
} from 'apache-arrow';
import { asyncBufferFromFile, parquetMetadataAsync } from 'hyparquet';
import {
  transformParquetStream,
  type RecordBatch as WasmRecordBatch,
  Table as WasmTable,
  WriterPropertiesBuilder,
  writeParquet,
} from 'parquet-wasm/node';
import { type CurationItem, dataSourceFor } from '../curation-item.js';
import { questionText } from '../rollout/rollout-runner.js';

/** `deepeyesv2`: the DeepEyesV2 fork's columns (`env_name`); `verl`: upstream verl's (`agent_name`, `tools_kwargs`). */
export type RlLayout = 'deepeyesv2' | 'verl';

export type RlRow = { item: CurationItem; images: { bytes: Uint8Array; path: string }[] };

const utf8 = () => new Utf8();
const field = (name: string, type: ConstructorParameters<typeof Field>[1]) => new Field(name, type, true);

/**
 * RL rows as parquet (parquet-wasm + apache-arrow): the prompt as chat messages with one `<image>`
 * per image, images as `{bytes, path}`, `data_source` routing the reward, the ground truth and
 * `extra_info.{index, question}`; the fork's `env_name` or upstream's `agent_name` +
 * `extra_info.tools_kwargs`.
 */
export function rlParquet(
  rows: readonly RlRow[],
  layout: RlLayout,
  options: { agentName?: string } = {},
): Uint8Array {
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(rlTable(rows, layout, options), 'stream')));
}

/** The arrow table of `rlParquet`, every column typed explicitly so every chunk has one schema. */
function rlTable(rows: readonly RlRow[], layout: RlLayout, options: { agentName?: string }): Table {
  const message = new Struct([field('role', utf8()), field('content', utf8())]);
  const image = new Struct([field('bytes', new Binary()), field('path', utf8())]);
  const reward = new Struct([field('ground_truth', utf8()), field('style', utf8())]);
  const createKwargs = new Struct([field('ground_truth', utf8()), field('data_source', utf8())]);
  const tools = new Struct([field('deepeyes', new Struct([field('create_kwargs', createKwargs)]))]);
  const extra = new Struct([
    field('index', utf8()),
    field('question', utf8()),
    ...(layout === 'verl' ? [field('tools_kwargs', tools)] : []),
  ]);
  const columns: Record<string, Vector> = {
    data_source: vectorFromArray(
      rows.map((row) => dataSourceFor(row.item.category)),
      utf8(),
    ),
    prompt: vectorFromArray(
      rows.map((row) => [
        { role: 'user', content: `${'<image>'.repeat(row.images.length)}${questionText(row.item)}` },
      ]),
      new List(field('item', message)),
    ),
    images: vectorFromArray(
      rows.map((row) => row.images),
      new List(field('item', image)),
    ),
    reward_model: vectorFromArray(
      rows.map((row) => ({ ground_truth: row.item.answer, style: 'model' })),
      reward,
    ),
    extra_info: vectorFromArray(
      rows.map((row) => ({
        index: row.item.id,
        question: questionText(row.item),
        ...(layout === 'verl'
          ? {
              tools_kwargs: {
                deepeyes: {
                  create_kwargs: {
                    ground_truth: row.item.answer,
                    data_source: dataSourceFor(row.item.category),
                  },
                },
              },
            }
          : {}),
      })),
      extra,
    ),
  };
  if (layout === 'deepeyesv2')
    columns.env_name = vectorFromArray(
      rows.map(() => 'deepeyes_v2'),
      utf8(),
    );
  else
    columns.agent_name = vectorFromArray(
      rows.map(() => options.agentName ?? 'deepeyes_agent'),
      utf8(),
    );
  return new Table(columns);
}

/** Rows per chunk (and row group) of `writeRlParquet`: a few MB of images at typical sizes. */
export const RL_CHUNK_ROWS = 256;

export type RlParquetWritten = { rows: number; rowGroups: number; sha256: string };

/**
 * Writes an RL parquet file from rows pulled chunk by chunk, each chunk one row group, so memory
 * holds one chunk of rows (their image bytes included) and one row group, however large the export:
 * a chunk is pulled only when the writer is ready for it. Written to a temporary name, checked
 * (the footer must count every row) and renamed, so a kill or a writer failure never leaves a
 * partial file under the real name. Same columns and types as `rlParquet`.
 */
export async function writeRlParquet(
  path: string,
  chunks: AsyncIterable<readonly RlRow[]> | Iterable<readonly RlRow[]>,
  layout: RlLayout,
  options: { agentName?: string; rowGroupRows?: number } = {},
): Promise<RlParquetWritten> {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}.tmp`;
  const hash = createHash('sha256');
  const iterator =
    Symbol.asyncIterator in chunks ? chunks[Symbol.asyncIterator]() : chunks[Symbol.iterator]();
  let rows = 0;
  let rowGroups = 0;
  const nextBatches = async (): Promise<WasmRecordBatch[] | undefined> => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return undefined;
      if (next.value.length === 0) continue;
      rows += next.value.length;
      rowGroups += 1;
      const table = WasmTable.fromIPCStream(tableToIPC(rlTable(next.value, layout, options), 'stream'));
      try {
        return table.recordBatches();
      } finally {
        // The batches share its buffers; freeing the table now rather than at some later GC keeps
        // the wasm heap from holding every chunk written so far.
        table.free();
      }
    }
  };
  const first = await nextBatches();
  const handle = await open(temporary, 'w');
  try {
    if (!first) {
      // No rows: the writer stream needs a first batch for its schema, so write the empty table whole.
      const empty = rlParquet([], layout, options);
      hash.update(empty);
      await handle.write(empty);
    } else {
      let pending: WasmRecordBatch[] = first;
      const batches = new ReadableStream<WasmRecordBatch>(
        {
          async pull(controller) {
            if (pending.length === 0) {
              const more = await nextBatches();
              if (!more) return controller.close();
              pending = more;
            }
            controller.enqueue(pending.shift()!);
          },
        },
        { highWaterMark: 0 },
      );
      const properties = new WriterPropertiesBuilder()
        .setMaxRowGroupSize(options.rowGroupRows ?? RL_CHUNK_ROWS)
        .build();
      const bytes: ReadableStream<Uint8Array> = await transformParquetStream(batches, properties);
      for await (const piece of bytes) {
        hash.update(piece);
        await handle.write(piece);
      }
    }
    await handle.close();
    // The wasm writer does not report a failed write through the stream: check the footer instead.
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(temporary));
    if (Number(metadata.num_rows) !== rows)
      throw new Error(`the RL parquet writer wrote ${metadata.num_rows} of ${rows} rows to ${temporary}`);
    await rename(temporary, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
  return { rows, rowGroups, sha256: hash.digest('hex') };
}
