import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { SearchCacheMissError } from './search-errors.js';
import type {
  ImageSearchHit,
  ImageSearchProvider,
  SearchHit,
  SearchOptions,
  SearchProvider,
} from './search-provider.js';

/**
 * - `record`: serve a fresh cached answer, otherwise ask the provider and store its answer;
 * - `replay`: serve only cached answers, whatever their age; a miss is an error (reproducible
 *   evaluation and RL: the same query always reads the same results);
 * - `off`: always ask the provider, store nothing.
 */
export const CACHE_MODES = ['record', 'replay', 'off'] as const;
export type CacheMode = (typeof CACHE_MODES)[number];

export type CachePolicy = {
  mode: CacheMode;
  /** Answers older than this are asked again in `record` mode. Default: never expire. */
  ttlMs?: number;
  /** Clock in ms since the epoch; tests pass their own. */
  now?: () => number;
};

/** Same query, same key: Unicode-normalised, trimmed, inner whitespace collapsed, lower-cased. */
export function normalizeQuery(query: string): string {
  return query.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

/** Images are keyed by the SHA-256 of their bytes (plus the item id when a provider needs it). */
export function imageKey(image: Uint8Array, itemId?: string): string {
  const digest = createHash('sha256').update(image).digest('hex');
  return itemId === undefined ? `sha256:${digest}` : `sha256:${digest}#${itemId}`;
}

const textHitsSchema = z.array(
  z.object({
    title: z.string(),
    link: z.string(),
    snippet: z.string().optional(),
    date: z.string().optional(),
  }),
);
const imageHitsSchema = z.array(
  z.object({ title: z.string(), link: z.string(), image: z.string().optional() }),
);

type Entry = { hits: string; hit_count: number; requested: number; created_ms: number };

/** Persistent search results, one SQLite file shared by every provider (keyed by provider name). */
export class SearchCache {
  private readonly select;
  private readonly upsert;

  private constructor(
    private readonly database: Database.Database,
    readonly path: string,
  ) {
    database.exec(`CREATE TABLE IF NOT EXISTS search_cache (
      provider TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
      hits TEXT NOT NULL, hit_count INTEGER NOT NULL, requested INTEGER NOT NULL, created_ms INTEGER NOT NULL,
      PRIMARY KEY (provider, kind, key)) WITHOUT ROWID`);
    this.select = database.prepare<[string, string, string], Entry>(
      'SELECT hits, hit_count, requested, created_ms FROM search_cache WHERE provider = ? AND kind = ? AND key = ?',
    );
    this.upsert = database.prepare<[string, string, string, string, number, number, number]>(
      'INSERT OR REPLACE INTO search_cache (provider, kind, key, hits, hit_count, requested, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
  }

  static open(path: string): SearchCache {
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      const database = new Database(path);
      database.pragma('journal_mode = WAL');
      database.pragma('synchronous = NORMAL');
      return new SearchCache(database, path);
    } catch (cause) {
      throw new UserError('search-cache-open', `cannot open search cache ${path}`, { cause });
    }
  }

  /** Cached hits for this request, or undefined when absent, too old, or recorded with too few results. */
  read(
    provider: string,
    kind: 'text' | 'image',
    key: string,
    limit: number,
    maxAgeMs?: number,
    nowMs = Date.now(),
  ): string | undefined {
    const entry = this.select.get(provider, kind, key);
    if (!entry) return undefined;
    if (maxAgeMs !== undefined && nowMs - entry.created_ms > maxAgeMs) return undefined;
    // A recorded answer serves any smaller request; a larger one only if the provider had no more.
    if (limit > entry.requested && entry.hit_count >= entry.requested) return undefined;
    return entry.hits;
  }

  write(
    provider: string,
    kind: 'text' | 'image',
    key: string,
    limit: number,
    hits: unknown[],
    nowMs = Date.now(),
  ): void {
    this.upsert.run(provider, kind, key, JSON.stringify(hits), hits.length, limit, nowMs);
  }

  close(): void {
    this.database.close();
  }
}

const DEFAULT_LIMIT = 5;

/** Wraps a text provider with the cache; the wrapper keeps the provider's name. */
export function cachedSearchProvider(
  provider: SearchProvider,
  cache: SearchCache,
  policy: CachePolicy,
): SearchProvider {
  if (policy.mode === 'off') return provider;
  const now = policy.now ?? Date.now;
  return {
    name: provider.name,
    async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
      options.signal?.throwIfAborted();
      const limit = options.limit ?? DEFAULT_LIMIT;
      const key = normalizeQuery(query);
      const maxAge = policy.mode === 'replay' ? undefined : policy.ttlMs;
      const cached = cache.read(provider.name, 'text', key, limit, maxAge, now());
      if (cached !== undefined) return textHitsSchema.parse(JSON.parse(cached)).slice(0, limit);
      if (policy.mode === 'replay') throw new SearchCacheMissError(provider.name, `query "${query}"`);
      const hits = await provider.search(query, options);
      cache.write(provider.name, 'text', key, limit, hits, now());
      return hits;
    },
  };
}

/** Wraps an image provider with the cache; pictures in results are stored base64-encoded. */
export function cachedImageSearchProvider(
  provider: ImageSearchProvider,
  cache: SearchCache,
  policy: CachePolicy,
): ImageSearchProvider {
  if (policy.mode === 'off') return provider;
  const now = policy.now ?? Date.now;
  return {
    name: provider.name,
    async searchImage(image: Uint8Array, options: SearchOptions = {}): Promise<ImageSearchHit[]> {
      options.signal?.throwIfAborted();
      const limit = options.limit ?? DEFAULT_LIMIT;
      const key = imageKey(image, options.itemId);
      const maxAge = policy.mode === 'replay' ? undefined : policy.ttlMs;
      const cached = cache.read(provider.name, 'image', key, limit, maxAge, now());
      if (cached !== undefined) {
        return imageHitsSchema
          .parse(JSON.parse(cached))
          .slice(0, limit)
          .map((hit) => ({
            title: hit.title,
            link: hit.link,
            ...(hit.image ? { image: new Uint8Array(Buffer.from(hit.image, 'base64')) } : {}),
          }));
      }
      if (policy.mode === 'replay') throw new SearchCacheMissError(provider.name, `image ${key}`);
      const hits = await provider.searchImage(image, options);
      const stored = hits.map((hit) => ({
        title: hit.title,
        link: hit.link,
        ...(hit.image ? { image: Buffer.from(hit.image).toString('base64') } : {}),
      }));
      cache.write(provider.name, 'image', key, limit, stored, now());
      return hits;
    },
  };
}
