export {
  createSearchTools,
  IMAGE_PROVIDERS,
  type SearchTools,
  type SearchToolsConfig,
  searchToolsConfigSchema,
  TEXT_PROVIDERS,
} from './create-search-tools.js';
export { DEMO_SEARCH_DIR, defaultCacheDir, ensureDemoIndexes } from './demo-indexes.js';
export { cropForImageSearch } from './image/crop-for-search.js';
export { ImageIndex, type ImageMatch, type IndexedImage } from './image/image-index.js';
export { MmsearchCacheImageSearch } from './image/mmsearch-cache.js';
export { readImageSet } from './image/read-image-set.js';
export { OfflineImageSearch, OfflineTextSearch } from './offline-providers.js';
export { BraveSearch } from './providers/brave.js';
export { type ImageHost, uploadEndpointImageHost } from './providers/image-host.js';
export { ProviderHttp, type ProviderHttpOptions } from './providers/provider-http.js';
export { SearxngSearch } from './providers/searxng.js';
export { SerpApiSearch } from './providers/serpapi.js';
export { SerperSearch } from './providers/serper.js';
export {
  CACHE_MODES,
  type CacheMode,
  type CachePolicy,
  cachedImageSearchProvider,
  cachedSearchProvider,
  imageKey,
  normalizeQuery,
  SearchCache,
} from './search-cache.js';
export { SearchCacheMissError, SearchProviderError } from './search-errors.js';
export type {
  ImageSearchHit,
  ImageSearchProvider,
  SearchHit,
  SearchOptions,
  SearchProvider,
} from './search-provider.js';
export { type BuildProgress, type BuildTextIndexResult, buildTextIndex } from './text/build-text-index.js';
export type { Passage } from './text/passage.js';
export { openCorpus } from './text/read-corpus.js';
export { TextIndex, type TextIndexOptions } from './text/text-index.js';
