/**
 * Golden: hits from real deepeyes providers, rendered by the protocol layer, give byte for byte
 * the text DeepEyesV2's RL environment appended (test/fixtures/golden/observations.jsonl).
 * Text: upstream's backend result is what Serper answers (`organic` entries with title, link,
 * snippet, date), so a fake Serper serves it and `SerperSearch` turns it into hits. Images: the
 * fixture's MMSearch-R1 cache entries are rebuilt on disk and replayed by `MmsearchCacheImageSearch`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  renderImageSearchObservation,
  renderSearchObservation,
  toRawContextAppend,
} from '../protocol/index.js';
import { MmsearchCacheImageSearch } from './image/mmsearch-cache.js';
import { SerperSearch } from './providers/serper.js';
import { SearchProviderError } from './search-errors.js';
import { startFakeServer } from './testing/fake-http-server.js';

const FIXTURES = resolve(import.meta.dirname, '../../test/fixtures/golden/observations.jsonl');
const recordSchema = z.object({ kind: z.string(), id: z.string() }).passthrough();
const records = readFileSync(FIXTURES, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => recordSchema.parse(JSON.parse(line)) as z.infer<typeof recordSchema> & Record<string, any>);
const byId = (id: string) => records.find((record) => record.id === id)!;
const queryOf = (record: Record<string, any>) =>
  JSON.parse(/<tool_call>\n(.*)\n<\/tool_call>/s.exec(record.turn)![1]!).arguments.query;

describe('text search observations (golden)', () => {
  let server: Awaited<ReturnType<typeof startFakeServer>>;
  let serving: unknown;
  beforeAll(async () => {
    server = await startFakeServer(() =>
      serving === 'Error' ? { status: 500, text: 'Error' } : { json: { organic: (serving as any).data } },
    );
  });
  afterAll(() => server.close());

  it.each([
    'text_0_results',
    'text_1_result',
    'text_3_results_missing_fields',
    'text_empty_strings',
    'text_video_phrase',
    'text_query_quotes',
  ])('%s renders exactly as upstream', async (id) => {
    const record = byId(id);
    serving = record.backend_result;
    const provider = new SerperSearch({ apiKey: 'k', baseUrl: server.url, http: { retries: 0 } });
    const query = queryOf(record);
    const hits = await provider.search(query, { limit: 5 });
    expect(toRawContextAppend(renderSearchObservation(query, hits))).toBe(record.rl.step.context_append);
  });

  it('a backend failure or a result without a title is a provider error (upstream: "Search error")', async () => {
    const provider = new SerperSearch({ apiKey: 'k', baseUrl: server.url, http: { retries: 0 } });
    serving = byId('text_backend_error').backend_result;
    await expect(provider.search('q')).rejects.toBeInstanceOf(SearchProviderError);
    serving = byId('text_result_missing_title').backend_result;
    await expect(provider.search('q')).rejects.toBeInstanceOf(SearchProviderError);
  });
});

describe('image search observations from the MMSearch-R1 cache (golden)', () => {
  let dir: string;
  let provider: MmsearchCacheImageSearch;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'deepeyes-golden-cache-'));
    mkdirSync(join(dir, 'images'));
    const cache: Record<
      string,
      { tool_returned_web_title: string[]; cached_images_path: Array<string | null> }
    > = {};
    for (const record of records.filter(
      (candidate) => candidate.kind === 'image_search' && candidate.cache_entry_titles,
    )) {
      const titles: string[] = record.cache_entry_titles;
      const sizes: Array<{ size: [number, number] }> = record.rl.observation?.multi_modal_data?.image ?? [];
      const paths: Array<string | null> = [];
      for (const [index, title] of titles.entries()) {
        if (title === 'dropped: null path') paths.push(null);
        else if (title === 'dropped: file missing') paths.push('images/missing.png');
        else {
          const path = `images/${record.id}-${index}.png`;
          const [width, height] = sizes[index]?.size ?? [64, 48];
          writeFileSync(
            join(dir, path),
            await sharp({ create: { width, height, channels: 3, background: '#336699' } })
              .png()
              .toBuffer(),
          );
          paths.push(path);
        }
      }
      cache[record.data_index] = { tool_returned_web_title: titles, cached_images_path: paths };
    }
    writeFileSync(join(dir, 'cache.json'), JSON.stringify(cache));
    provider = new MmsearchCacheImageSearch([join(dir, 'cache.json')]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['image_0_results', 'image_2_results', 'image_missing_files_filtered', 'image_video_phrase'])(
    '%s renders exactly as upstream',
    async (id) => {
      const record = byId(id);
      const hits = await provider.searchImage(new Uint8Array(), { itemId: record.data_index });
      expect(toRawContextAppend(renderImageSearchObservation(hits), hits.length)).toBe(
        record.rl.step.context_append,
      );
      expect(hits.length).toBe(record.rl.step.context_append_images);
    },
  );

  it('image_12_results: deliberately lists only the 10 attached pictures (upstream lists 12 with 10 images)', async () => {
    const record = byId('image_12_results');
    const hits = (await provider.searchImage(new Uint8Array(), { itemId: record.data_index })).slice(0, 10);
    const text = toRawContextAppend(renderImageSearchObservation(hits), hits.length);
    expect(text).not.toBe(record.rl.step.context_append);
    // Upstream's first ten entries are reproduced exactly; the two picture-less entries are gone.
    const upstreamFirstTen = record.rl.step.context_append
      .split('\n\n\n11.')[0]
      .replace('found 12 results', 'found 10 results');
    expect(text.startsWith(upstreamFirstTen)).toBe(true);
    expect(text.split('<|image_pad|>').length - 1).toBe(10);
  });

  it('image_not_cached: an item without an entry is a provider error, not a crash', async () => {
    await expect(
      provider.searchImage(new Uint8Array(), { itemId: byId('image_not_cached').data_index }),
    ).rejects.toThrow(/no cached image search for item/);
    await expect(provider.searchImage(new Uint8Array())).rejects.toThrow(/no item id/);
  });
});
