import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../errors.js';
import { defaultCacheDir, ensureDemoIndexes } from './demo-indexes.js';
import { ImageIndex } from './image/image-index.js';
import { MmsearchCacheImageSearch } from './image/mmsearch-cache.js';
import { OfflineImageSearch, OfflineTextSearch } from './offline-providers.js';
import { BraveSearch } from './providers/brave.js';
import { type ImageHost, uploadEndpointImageHost } from './providers/image-host.js';
import { ProviderHttp, type ProviderHttpOptions } from './providers/provider-http.js';
import { SearxngSearch } from './providers/searxng.js';
import { SerpApiSearch } from './providers/serpapi.js';
import { SerperSearch } from './providers/serper.js';
import { CACHE_MODES, cachedImageSearchProvider, cachedSearchProvider, SearchCache } from './search-cache.js';
import { SearchProviderError } from './search-errors.js';
import type { ImageSearchProvider, SearchProvider } from './search-provider.js';
import { TextIndex } from './text/text-index.js';

export const TEXT_PROVIDERS = ['local', 'serper', 'serpapi', 'brave', 'searxng', 'none'] as const;
export const IMAGE_PROVIDERS = ['local', 'cache', 'serper', 'serpapi', 'none'] as const;

/** What `createSearchTools` needs; every field has a default that works offline. */
export const searchToolsConfigSchema = z.object({
  /** `local` = the offline BM25 index (default). */
  text: z.enum(TEXT_PROVIDERS).default('local'),
  /** `local` = the offline near-duplicate image index (default); `cache` = an MMSearch-R1 cache replay. */
  image: z.enum(IMAGE_PROVIDERS).default('local'),
  /** Offline text index file (default: the bundled demo corpus, built on first use). */
  textIndexPath: z.string().optional(),
  /** Offline image index file (default: the bundled demo image set, built on first use). */
  imageIndexPath: z.string().optional(),
  /** MMSearch-R1 cache JSON files, for `image: 'cache'`. */
  imageCacheFiles: z.array(z.string()).default([]),
  /** Folder the cache's relative picture paths resolve against (default: the first cache file's folder). */
  imageCacheRoot: z.string().optional(),
  /** Minimum similarity (0–1) for local image results. */
  imageMinScore: z.number().min(0).max(1).optional(),
  cache: z
    .object({
      /** Default `<cache dir>/search-cache.sqlite`. */
      path: z.string().optional(),
      mode: z.enum(CACHE_MODES).default('record'),
      ttlMs: z.number().positive().optional(),
    })
    .default({ mode: 'record' }),
  /** Folder for the search cache and the demo indexes (default `$DEEPEYES_CACHE_DIR` or `~/.cache/deepeyes`). */
  cacheDir: z.string().optional(),
  timeoutMs: z.number().positive().optional(),
  retries: z.number().int().min(0).optional(),
  /** Minimum ms between two requests to one online provider. */
  minIntervalMs: z.number().min(0).optional(),
  /** Override provider endpoints (tests, proxies, self-hosted gateways). */
  baseUrls: z
    .object({
      serper: z.string().optional(),
      serpapi: z.string().optional(),
      brave: z.string().optional(),
      searxng: z.string().optional(),
    })
    .default({}),
  /** Keys; default from SERPER_API_KEY, SERPAPI_API_KEY, BRAVE_API_KEY. */
  apiKeys: z
    .object({ serper: z.string().optional(), serpapi: z.string().optional(), brave: z.string().optional() })
    .default({}),
  /** For Lens-style online image search: an endpoint that takes image bytes and answers with a public URL (or DEEPEYES_IMAGE_UPLOAD_URL). */
  imageUploadUrl: z.string().optional(),
});
export type SearchToolsConfig = z.input<typeof searchToolsConfigSchema>;

export type SearchTools = {
  text: SearchProvider;
  image: ImageSearchProvider;
  /** One line per tool: which provider, which index or key source, which cache and mode. */
  describe(): string;
  close(): void;
};

type Env = Record<string, string | undefined>;

/** Builds the `search` and `image_search` providers the agent and CLI use. */
export async function createSearchTools(
  rawConfig: SearchToolsConfig = {},
  env: Env = process.env,
): Promise<SearchTools> {
  const config = searchToolsConfigSchema.parse(rawConfig);
  const cacheDir = config.cacheDir ?? defaultCacheDir(env);
  const closers: Array<() => void> = [];
  const lines: string[] = [];
  const http: ProviderHttpOptions = {
    ...(config.timeoutMs !== undefined ? { timeoutMs: config.timeoutMs } : {}),
    ...(config.retries !== undefined ? { retries: config.retries } : {}),
    ...(config.minIntervalMs !== undefined ? { minIntervalMs: config.minIntervalMs } : {}),
  };
  const needsDemo =
    (config.text === 'local' && !config.textIndexPath) ||
    (config.image === 'local' && !config.imageIndexPath);
  const demo = needsDemo ? await ensureDemoIndexes(cacheDir) : undefined;

  const online = config.text !== 'local' && config.text !== 'none';
  const onlineImage = config.image === 'serper' || config.image === 'serpapi';
  let cache: SearchCache | undefined;
  const cachePath = config.cache.path ?? join(cacheDir, 'search-cache.sqlite');
  const cacheLabel =
    config.cache.mode === 'off'
      ? 'no cache'
      : `cache ${cachePath} (${config.cache.mode}${config.cache.ttlMs ? `, ttl ${config.cache.ttlMs} ms` : ''})`;
  if ((online || onlineImage) && config.cache.mode !== 'off') {
    cache = SearchCache.open(cachePath);
    closers.push(() => cache?.close());
  }
  const policy = { mode: config.cache.mode, ...(config.cache.ttlMs ? { ttlMs: config.cache.ttlMs } : {}) };

  const imageHostUrl = config.imageUploadUrl ?? env.DEEPEYES_IMAGE_UPLOAD_URL;
  const imageHost: ImageHost | undefined = imageHostUrl
    ? uploadEndpointImageHost(imageHostUrl, new ProviderHttp('image upload', http))
    : undefined;
  const key = (name: 'serper' | 'serpapi' | 'brave', variable: string): string => {
    const value = config.apiKeys[name] ?? env[variable];
    if (!value)
      throw new UserError('search-key-missing', `${name} search needs an API key`, {
        hint: `set ${variable}`,
      });
    return value;
  };
  const serper = () =>
    new SerperSearch({
      apiKey: key('serper', 'SERPER_API_KEY'),
      ...(config.baseUrls.serper ? { baseUrl: config.baseUrls.serper } : {}),
      http,
      ...(imageHost ? { imageHost } : {}),
    });
  const serpapi = () =>
    new SerpApiSearch({
      apiKey: key('serpapi', 'SERPAPI_API_KEY'),
      ...(config.baseUrls.serpapi ? { baseUrl: config.baseUrls.serpapi } : {}),
      http,
      ...(imageHost ? { imageHost } : {}),
    });

  let text: SearchProvider;
  switch (config.text) {
    case 'local': {
      const path = config.textIndexPath ?? demo!.textIndex;
      const index = TextIndex.open(path, { readonly: true });
      closers.push(() => index.close());
      text = new OfflineTextSearch(index);
      lines.push(
        `search: local BM25 index ${path}${config.textIndexPath ? '' : ' (bundled demo corpus)'} (${index.stats().passages} passages)`,
      );
      break;
    }
    case 'none':
      text = disabledText();
      lines.push('search: disabled');
      break;
    default: {
      const provider =
        config.text === 'serper'
          ? serper()
          : config.text === 'serpapi'
            ? serpapi()
            : config.text === 'brave'
              ? new BraveSearch({
                  apiKey: key('brave', 'BRAVE_API_KEY'),
                  ...(config.baseUrls.brave ? { baseUrl: config.baseUrls.brave } : {}),
                  http,
                })
              : new SearxngSearch({ baseUrl: searxngUrl(config.baseUrls.searxng ?? env.SEARXNG_URL), http });
      text = cache ? cachedSearchProvider(provider, cache, policy) : provider;
      lines.push(`search: ${provider.name}, ${cacheLabel}`);
    }
  }

  let image: ImageSearchProvider;
  switch (config.image) {
    case 'local': {
      const path = config.imageIndexPath ?? demo!.imageIndex;
      const index = ImageIndex.open(path);
      closers.push(() => index.close());
      image = new OfflineImageSearch(index, config.imageMinScore);
      lines.push(
        `image_search: local near-duplicate index ${path}${config.imageIndexPath ? '' : ' (bundled demo image set)'} (${index.stats().images} pictures)`,
      );
      break;
    }
    case 'cache': {
      const replay = new MmsearchCacheImageSearch(
        config.imageCacheFiles,
        config.imageCacheRoot ? { imageRoot: config.imageCacheRoot } : {},
      );
      image = replay;
      lines.push(
        `image_search: MMSearch-R1 cache replay of ${config.imageCacheFiles.join(', ')} (${replay.size} items)`,
      );
      break;
    }
    case 'none':
      image = disabledImage();
      lines.push('image_search: disabled');
      break;
    default: {
      const provider = config.image === 'serper' ? serper() : serpapi();
      image = cache ? cachedImageSearchProvider(provider, cache, policy) : provider;
      lines.push(
        `image_search: ${provider.name} lens${imageHost ? '' : ' (no image upload URL set: searches will fail)'}, ${cacheLabel}`,
      );
    }
  }

  return {
    text,
    image,
    describe: () => lines.join('\n'),
    close: () => {
      for (const close of closers.splice(0).reverse()) close();
    },
  };
}

function searxngUrl(url: string | undefined): string {
  if (!url)
    throw new UserError('searxng-url-missing', 'SearXNG search needs the instance URL', {
      hint: 'set SEARXNG_URL, e.g. http://localhost:8080',
    });
  return url;
}

function disabledText(): SearchProvider {
  return {
    name: 'none',
    search: async () => {
      throw new SearchProviderError('none', 'text search is disabled');
    },
  };
}

function disabledImage(): ImageSearchProvider {
  return {
    name: 'none',
    searchImage: async () => {
      throw new SearchProviderError('none', 'image search is disabled');
    },
  };
}
