/**
 * Golden: under `upstream-rl`, what `env serve` returns for a step equals, byte for byte, what the
 * DeepEyesV2 RL rollout appended to the model's context (test/fixtures/golden/observations.jsonl,
 * `rl.step.context_append`), with the same image count and sizes, and ends the episode where it did.
 * The sandbox is a stand-in that answers the fixture's canned output, as upstream's run had.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FixtureMode, makePng } from '../image/testing/make-image.js';
import {
  codeResultSchema,
  imageSearchSchema,
  readObservationRecords,
  type SandboxImage,
  textSearchSchema,
} from '../protocol/testing/golden-fixtures.js';
import type { Execution, Sandbox } from '../sandbox/sandbox.js';
import { MmsearchCacheImageSearch } from '../search/image/mmsearch-cache.js';
import type { ImageSearchProvider, SearchProvider } from '../search/search-provider.js';
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

/** The fixture's MMSearch-R1 cache entries, rebuilt on disk (as src/search/observation-golden.test.ts does). */
let cacheDir: string;
let imageCache: MmsearchCacheImageSearch;
const imageSearch: ImageSearchProvider = {
  name: 'golden-cache',
  searchImage: (bytes, options) => imageCache.searchImage(bytes, options),
};

async function buildImageCache(): Promise<void> {
  cacheDir = mkdtempSync(join(tmpdir(), 'deepeyes-env-golden-'));
  mkdirSync(join(cacheDir, 'images'));
  const cache: Record<string, { tool_returned_web_title: string[]; cached_images_path: (string | null)[] }> =
    {};
  for (const record of records.filter((candidate) => candidate.kind === 'image_search')) {
    const search = imageSearchSchema.parse(record);
    if (search.cache_entry_titles === null) continue;
    const observation = search.rl.observation as { multi_modal_data?: { image: { size: number[] }[] } };
    const sizes = observation?.multi_modal_data?.image ?? [];
    const paths: (string | null)[] = [];
    for (const [index, title] of search.cache_entry_titles.entries()) {
      const path = `images/${search.id}-${index}.png`;
      if (title === 'dropped: null path') paths.push(null);
      else if (title === 'dropped: file missing') paths.push('images/missing.png');
      else if (title === 'broken file') {
        writeFileSync(join(cacheDir, path), 'not a picture');
        paths.push(path);
      } else {
        const [width, height] = sizes[index]?.size ?? [64, 48];
        const png = await sharp({
          create: { width: width!, height: height!, channels: 3, background: '#369' },
        })
          .png()
          .toBuffer();
        writeFileSync(join(cacheDir, path), png);
        paths.push(path);
      }
    }
    cache[search.data_index] = {
      tool_returned_web_title: search.cache_entry_titles,
      cached_images_path: paths,
    };
  }
  writeFileSync(join(cacheDir, 'cache.json'), JSON.stringify(cache));
  imageCache = new MmsearchCacheImageSearch([join(cacheDir, 'cache.json')]);
}

beforeAll(async () => {
  await buildImageCache();
  picture = (
    await sharp({ create: { width: 56, height: 56, channels: 3, background: '#333' } })
      .png()
      .toBuffer()
  ).toString('base64');
  ({ app } = buildEnvServer({
    sandbox,
    searchTools: { golden: { text: search, image: imageSearch } },
    defaultSearch: 'golden',
    upstreamRepair: async (code) => code,
    scorers: {},
  }));
});
afterAll(async () => {
  await app.close();
  rmSync(cacheDir, { recursive: true, force: true });
});

async function imageBytes(image: SandboxImage): Promise<Uint8Array> {
  if ('raw' in image) return new TextEncoder().encode(image.raw);
  return makePng(image.png[0], image.png[1], image.color, image.mode as FixtureMode);
}

async function stepOnce(turn: string, dataIndex = 'fvqa_train_0'): Promise<any> {
  const created = await app.inject({
    method: 'POST',
    url: '/episodes',
    payload: {
      images: [picture],
      question: 'q',
      profile: 'upstream-rl',
      extra_info: { index: dataIndex },
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

describe('env serve under upstream-rl: image searches from the MMSearch-R1 cache (golden)', () => {
  const cases = records
    .filter((record) => record.kind === 'image_search')
    .map((record) => [record.id, imageSearchSchema.parse(record)] as const)
    // Upstream lists 12 results with only 10 pictures attached; deepeyes lists the 10 it attaches
    // (a deliberate fix, kept under upstream-rl: src/search/observation-golden.test.ts pins it).
    .filter(([id]) => id !== 'image_12_results');
  it.each(cases)('%s', async (_id, search) => {
    const step = await stepOnce(
      '<think>Search by image.</think>\n<tool_call>\n{"name": "image_search"}\n</tool_call>',
      search.data_index,
    );
    expect(step.done).toBe(search.rl.step.done);
    if (search.rl.step.context_append === null) {
      expect(step.observation).toBeNull();
      return;
    }
    expect(step.observation.raw).toBe(search.rl.step.context_append);
    expect(step.observation.images).toHaveLength(search.rl.step.context_append_images);
    const observation = search.rl.observation as {
      prompt: string;
      multi_modal_data: { image: { size: number[] }[] };
    };
    if (typeof search.rl.observation !== 'string' && search.rl.step.context_append_images > 0) {
      expect(step.observation.prompt).toBe(observation.prompt);
      const sizes = step.observation.images.map((image: any) => [image.width, image.height]);
      expect(sizes).toEqual(observation.multi_modal_data.image.map((image) => image.size));
    }
  });
});
