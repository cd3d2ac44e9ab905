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
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
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
  const table = new Table(columns);
  return writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')));
}
