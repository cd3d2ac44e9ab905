import type { z } from 'zod';
import { SearchProviderError } from '../search-errors.js';
import type {
  ImageSearchHit,
  ImageSearchProvider,
  SearchHit,
  SearchOptions,
  SearchProvider,
} from '../search-provider.js';
import { type GoogleWebResult, toSearchHit } from './google-web-result.js';
import { type ImageHost, requireImageHost } from './image-host.js';
import { ProviderHttp, type ProviderHttpOptions } from './provider-http.js';
import { attachResultImages, type RemoteImageResult } from './result-images.js';

/** A provider's answer read through its schema; a shape it does not have is the provider's failure. */
export function parseProviderAnswer<T>(
  schema: z.ZodType<T>,
  answer: unknown,
  provider: string,
  what = 'answer',
): T {
  const parsed = schema.safeParse(answer);
  if (!parsed.success) {
    throw new SearchProviderError(provider, `unexpected ${what} shape: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/** `{ imageUrl }` when there is one (optional fields stay absent rather than undefined). */
export function withImageUrl(url: string | null | undefined): { imageUrl?: string } {
  return url ? { imageUrl: url } : {};
}

/**
 * A Google search API reseller (Serper, SerpAPI): organic web results and Google Lens visual
 * matches, which take an image URL (so the picture is uploaded to an image host first) and whose
 * thumbnails are downloaded. Subclasses only speak their transport and field names.
 */
export abstract class GoogleSearchApi implements SearchProvider, ImageSearchProvider {
  readonly name: string;
  protected readonly http: ProviderHttp;
  private readonly downloads: ProviderHttp;

  constructor(
    name: string,
    private readonly imageHost: ImageHost | undefined,
    http: ProviderHttpOptions | undefined,
  ) {
    this.name = name;
    this.http = new ProviderHttp(name, http);
    this.downloads = new ProviderHttp(`${name} image download`, { ...http, minIntervalMs: 0, retries: 1 });
  }

  /** The organic web results for `query` (at least `limit` when the API has them). */
  protected abstract webResults(
    query: string,
    limit: number,
    signal?: AbortSignal,
  ): Promise<GoogleWebResult[]>;

  /** Google Lens matches for the picture at `imageUrl`, each with the URL of its picture. */
  protected abstract lensMatches(imageUrl: string, signal?: AbortSignal): Promise<RemoteImageResult[]>;

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 5;
    return (await this.webResults(query, limit, options.signal)).slice(0, limit).map(toSearchHit);
  }

  async searchImage(image: Uint8Array, options: SearchOptions = {}): Promise<ImageSearchHit[]> {
    const limit = options.limit ?? 5;
    const url = await requireImageHost(this.imageHost, this.name).upload(image, options.signal);
    const matches = (await this.lensMatches(url, options.signal)).slice(0, limit);
    return attachResultImages(matches, this.downloads, options.signal);
  }
}
