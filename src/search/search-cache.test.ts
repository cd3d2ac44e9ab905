import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cachedImageSearchProvider,
  cachedSearchProvider,
  imageKey,
  normalizeQuery,
  SearchCache,
} from './search-cache.js';
import { SearchCacheMissError } from './search-errors.js';
import type { ImageSearchProvider, SearchHit, SearchProvider } from './search-provider.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'deepeyes-search-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A provider that counts calls and answers `limit` numbered hits (or fewer when `available` says so). */
function countingProvider(available = 100): SearchProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    name: 'counting',
    calls,
    async search(query, options = {}) {
      calls.push(query);
      const count = Math.min(available, options.limit ?? 5);
      return Array.from(
        { length: count },
        (_, index): SearchHit => ({ title: `${query} ${index}`, link: `https://x/${index}`, snippet: 's' }),
      );
    },
  };
}

describe('search cache', () => {
  it('normalises queries: case, Unicode form and spacing do not make new entries', () => {
    expect(normalizeQuery('  Kestrel\u00a0Point   LIGHTHOUSE ')).toBe('kestrel point lighthouse');
    expect(normalizeQuery('ｆｕｌｌ width')).toBe('full width');
  });

  it('records once, then serves the same query from disk after a reopen', async () => {
    const provider = countingProvider();
    const path = join(dir, 'cache.sqlite');
    let cache = SearchCache.open(path);
    const first = await cachedSearchProvider(provider, cache, { mode: 'record' }).search('Eiffel Tower');
    expect(await cachedSearchProvider(provider, cache, { mode: 'record' }).search('eiffel  tower')).toEqual(
      first,
    );
    cache.close();
    cache = SearchCache.open(path);
    expect(await cachedSearchProvider(provider, cache, { mode: 'replay' }).search('EIFFEL TOWER')).toEqual(
      first,
    );
    expect(provider.calls).toEqual(['Eiffel Tower']);
    cache.close();
  });

  it('replay-only mode fails on a miss instead of asking the provider', async () => {
    const provider = countingProvider();
    const cache = SearchCache.open(join(dir, 'cache.sqlite'));
    const replay = cachedSearchProvider(provider, cache, { mode: 'replay' });
    await expect(replay.search('never recorded')).rejects.toBeInstanceOf(SearchCacheMissError);
    expect(provider.calls).toEqual([]);
    cache.close();
  });

  it('asks again once an answer is older than the TTL (record mode), but replay serves it anyway', async () => {
    const provider = countingProvider();
    const cache = SearchCache.open(join(dir, 'cache.sqlite'));
    let now = 1_000_000;
    const record = cachedSearchProvider(provider, cache, { mode: 'record', ttlMs: 60_000, now: () => now });
    await record.search('q');
    now += 59_000;
    await record.search('q');
    expect(provider.calls).toHaveLength(1);
    now += 2_000;
    await record.search('q');
    expect(provider.calls).toHaveLength(2);
    now += 10 * 60_000;
    await cachedSearchProvider(provider, cache, { mode: 'replay', ttlMs: 60_000, now: () => now }).search(
      'q',
    );
    expect(provider.calls).toHaveLength(2);
    cache.close();
  });

  it('serves smaller requests from a larger answer, and a larger request only if the provider had no more', async () => {
    const cache = SearchCache.open(join(dir, 'cache.sqlite'));
    const plenty = countingProvider();
    const cached = cachedSearchProvider(plenty, cache, { mode: 'record' });
    await cached.search('q', { limit: 5 });
    expect(await cached.search('q', { limit: 3 })).toHaveLength(3);
    expect(await cached.search('q', { limit: 8 })).toHaveLength(8);
    expect(plenty.calls).toHaveLength(2);
    const scarce = countingProvider(2);
    const cachedScarce = cachedSearchProvider(scarce, cache, { mode: 'record' });
    await cachedScarce.search('rare', { limit: 5 });
    expect(await cachedScarce.search('rare', { limit: 10 })).toHaveLength(2);
    expect(scarce.calls).toHaveLength(1);
    cache.close();
  });

  it('does not cache failures', async () => {
    let fail = true;
    const flaky: SearchProvider = {
      name: 'flaky',
      search: async () => {
        if (fail) throw new Error('down');
        return [{ title: 't', link: 'l' }];
      },
    };
    const cache = SearchCache.open(join(dir, 'cache.sqlite'));
    const cached = cachedSearchProvider(flaky, cache, { mode: 'record' });
    await expect(cached.search('q')).rejects.toThrow('down');
    fail = false;
    expect(await cached.search('q')).toEqual([{ title: 't', link: 'l' }]);
    cache.close();
  });

  it('keys image searches by picture bytes (and item id) and keeps result pictures intact', async () => {
    const calls: Uint8Array[] = [];
    const provider: ImageSearchProvider = {
      name: 'lens',
      async searchImage(image) {
        calls.push(image);
        return [
          { title: 'match', link: 'https://m', image: new Uint8Array([1, 2, 3, 250]) },
          { title: 'bare', link: 'https://b' },
        ];
      },
    };
    const cache = SearchCache.open(join(dir, 'cache.sqlite'));
    const cached = cachedImageSearchProvider(provider, cache, { mode: 'record' });
    const picture = new Uint8Array([9, 9, 9]);
    await cached.searchImage(picture);
    const replayed = await cachedImageSearchProvider(provider, cache, { mode: 'replay' }).searchImage(
      new Uint8Array([9, 9, 9]),
    );
    expect(replayed).toEqual([
      { title: 'match', link: 'https://m', image: new Uint8Array([1, 2, 3, 250]) },
      { title: 'bare', link: 'https://b' },
    ]);
    expect(calls).toHaveLength(1);
    await expect(
      cachedImageSearchProvider(provider, cache, { mode: 'replay' }).searchImage(new Uint8Array([8])),
    ).rejects.toThrow(/no recorded lens result/);
    expect(imageKey(picture, 'fvqa_1')).not.toBe(imageKey(picture));
    cache.close();
  });

  it('off mode passes straight through', async () => {
    const provider = countingProvider();
    const cache = SearchCache.open(join(dir, 'cache.sqlite'));
    const off = cachedSearchProvider(provider, cache, { mode: 'off' });
    await off.search('q');
    await off.search('q');
    expect(provider.calls).toHaveLength(2);
    cache.close();
  });
});
