/**
 * Golden: under `upstream-rl`, what `env serve` returns for a step equals, byte for byte, what the
 * DeepEyesV2 RL rollout appended to the model's context (test/fixtures/golden/observations.jsonl,
 * `rl.step.context_append`), with the same image count and sizes, and ends the episode where it did.
 * The sandbox is a stand-in that answers the fixture's canned output, as upstream's run had.
 */
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureMode, makePng } from '../image/testing/make-image.js';
import {
  codeResultSchema,
  readObservationRecords,
  type SandboxImage,
  textSearchSchema,
} from '../protocol/testing/golden-fixtures.js';
import type { Execution, Sandbox } from '../sandbox/sandbox.js';
import type { SearchProvider } from '../search/search-provider.js';
import { buildEnvServer } from './env-server.js';

const records = readObservationRecords();
let picture: string;
let app: FastifyInstance;
/** What the stand-in sandbox and search answer next. */
let canned: Execution | 'RAISE';
let cannedHits: unknown;

const sandbox: Sandbox = {
  async openSession() {
    return {
      id: 'golden',
      async execute() {
        if (canned === 'RAISE') throw new Error('connection refused');
        return canned;
      },
      async close() {},
    };
  },
  async close() {},
};
const search: SearchProvider = {
  name: 'golden',
  async search() {
    if (cannedHits === 'Error') throw new Error('backend error');
    return cannedHits as never;
  },
};

beforeAll(async () => {
  picture = (
    await sharp({ create: { width: 56, height: 56, channels: 3, background: '#333' } })
      .png()
      .toBuffer()
  ).toString('base64');
  ({ app } = buildEnvServer({
    sandbox,
    searchTools: { golden: { text: search } },
    defaultSearch: 'golden',
    upstreamRepair: async (code) => code,
    scorers: {},
  }));
});
afterAll(() => app.close());

async function imageBytes(image: SandboxImage): Promise<Uint8Array> {
  if ('raw' in image) return new TextEncoder().encode(image.raw);
  return makePng(image.png[0], image.png[1], image.color, image.mode as FixtureMode);
}

async function stepOnce(turn: string): Promise<any> {
  const created = await app.inject({
    method: 'POST',
    url: '/episodes',
    payload: {
      images: [picture],
      question: 'q',
      profile: 'upstream-rl',
      extra_info: { index: 'fvqa_train_0' },
    },
  });
  expect(created.statusCode).toBe(201);
  const id = created.json().episode_id;
  const step = await app.inject({ method: 'POST', url: `/episodes/${id}/step`, payload: { text: turn } });
  expect(step.statusCode).toBe(200);
  await app.inject({ method: 'DELETE', url: `/episodes/${id}` });
  return step.json();
}

describe('env serve under upstream-rl: code results (golden)', () => {
  const cases = records.filter((record) => record.kind === 'code_result');
  it.each(cases.map((record) => [record.id, record] as const))('%s', async (_id, record) => {
    const result = codeResultSchema.parse(record);
    const output = result.sandbox_output;
    canned =
      output === 'RAISE'
        ? 'RAISE'
        : {
            stdout: output.stdout ?? '',
            stderr: output.stderr ?? '',
            images: await Promise.all((output.images ?? []).map(imageBytes)),
            status: 'ok',
            executionCount: 1,
            durationMs: 1,
            truncated: false,
          };
    const step = await stepOnce(record.turn as string);
    expect(step.done).toBe(result.rl.step.done);
    if (result.rl.step.context_append === null) {
      expect(step.observation).toBeNull();
      return;
    }
    expect(step.observation.raw).toBe(result.rl.step.context_append);
    expect(step.observation.images).toHaveLength(result.rl.step.context_append_images);
    const observation = result.rl.observation;
    if (typeof observation !== 'string') {
      expect(step.observation.prompt).toBe(observation.prompt);
      const sizes = step.observation.images.map((image: any) => [image.width, image.height]);
      expect(sizes).toEqual(observation.multi_modal_data.image.map((image) => image.size));
      expect(step.observation.images.every((image: any) => image.mime_type === 'image/png')).toBe(true);
    }
  });
});

describe('env serve under upstream-rl: text searches (golden)', () => {
  const cases = records
    .filter((record) => record.kind === 'text_search')
    .map((record) => [record.id, record] as const)
    // Non-string queries and the release's placeholder backend are the protocol layer's tests.
    .filter(
      ([id]) => !['text_query_int', 'text_query_list', 'text_upstream_placeholder_backend'].includes(id),
    );
  it.each(cases)('%s', async (_id, record) => {
    const search = textSearchSchema.parse(record);
    const backend = search.backend_result;
    cannedHits = typeof backend === 'string' ? backend : backend.data;
    if (Array.isArray(cannedHits) && cannedHits.some((hit: any) => typeof hit.title !== 'string'))
      cannedHits = 'Error';
    const step = await stepOnce(record.turn as string);
    expect(step.done).toBe(search.rl.step.done);
    if (search.rl.step.context_append === null) expect(step.observation).toBeNull();
    else expect(step.observation.raw).toBe(search.rl.step.context_append);
  });
});
