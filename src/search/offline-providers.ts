import type { ImageIndex } from './image/image-index.js';
import type {
  ImageSearchHit,
  ImageSearchProvider,
  SearchHit,
  SearchOptions,
  SearchProvider,
} from './search-provider.js';
import type { TextIndex } from './text/text-index.js';

/** The offline text index as a `SearchProvider` (name `local`). */
export class OfflineTextSearch implements SearchProvider {
  readonly name = 'local';
  constructor(readonly index: TextIndex) {}

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    // The lookup is synchronous: a caller that already gave up gets its abort, as from a remote provider.
    options.signal?.throwIfAborted();
    return this.index.search(query, options.limit ?? 5);
  }
}

/** The offline image index as an `ImageSearchProvider` (name `local`). */
export class OfflineImageSearch implements ImageSearchProvider {
  readonly name = 'local';
  constructor(
    readonly index: ImageIndex,
    private readonly minScore?: number,
  ) {}

  async searchImage(image: Uint8Array, options: SearchOptions = {}): Promise<ImageSearchHit[]> {
    options.signal?.throwIfAborted();
    const matches = await this.index.search(image, {
      limit: options.limit ?? 5,
      ...(this.minScore === undefined ? {} : { minScore: this.minScore }),
    });
    return matches.map(({ title, link, image: picture }) => ({
      title,
      link,
      ...(picture ? { image: picture } : {}),
    }));
  }
}
