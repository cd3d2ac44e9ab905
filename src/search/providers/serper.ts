import { z } from 'zod';
import { SearchProviderError } from '../search-errors.js';
import type {
  ImageSearchHit,
  ImageSearchProvider,
  SearchHit,
  SearchOptions,
  SearchProvider,
} from '../search-provider.js';
import { googleWebResultSchema, toSearchHit } from './google-web-result.js';
import { type ImageHost, requireImageHost } from './image-host.js';
import { ProviderHttp, type ProviderHttpOptions } from './provider-http.js';
import { attachResultImages } from './result-images.js';

/** Serper (google.serper.dev): the Google search API DeepEyesV2 used. Key: SERPER_API_KEY. */
export type SerperOptions = {
  apiKey: string;
  /** Default https://google.serper.dev */
  baseUrl?: string;
  http?: ProviderHttpOptions;
  /** For `/lens`, which takes an image URL. */
  imageHost?: ImageHost;
};

const organicSchema = z.object({
  organic: z.array(googleWebResultSchema).default([]),
});

const lensSchema = z.object({
  organic: z
    .array(
      z.object({
        title: z.string(),
        link: z.string(),
        imageUrl: z.string().nullish(),
        thumbnailUrl: z.string().nullish(),
      }),
    )
    .default([]),
});

export class SerperSearch implements SearchProvider, ImageSearchProvider {
  readonly name = 'serper';
  private readonly http: ProviderHttp;
  private readonly downloads: ProviderHttp;
  private readonly baseUrl: string;

  constructor(private readonly options: SerperOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://google.serper.dev').replace(/\/$/, '');
    this.http = new ProviderHttp('serper', options.http);
    this.downloads = new ProviderHttp('serper image download', {
      ...options.http,
      minIntervalMs: 0,
      retries: 1,
    });
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 5;
    const answer = await this.post('/search', { q: query, num: limit }, options.signal);
    const parsed = organicSchema.safeParse(answer);
    if (!parsed.success)
      throw new SearchProviderError(this.name, `unexpected answer shape: ${parsed.error.issues[0]?.message}`);
    return parsed.data.organic.slice(0, limit).map(toSearchHit);
  }

  async searchImage(image: Uint8Array, options: SearchOptions = {}): Promise<ImageSearchHit[]> {
    const limit = options.limit ?? 5;
    const url = await requireImageHost(this.options.imageHost, this.name).upload(image, options.signal);
    const parsed = lensSchema.safeParse(await this.post('/lens', { url }, options.signal));
    if (!parsed.success)
      throw new SearchProviderError(
        this.name,
        `unexpected lens answer shape: ${parsed.error.issues[0]?.message}`,
      );
    const results = parsed.data.organic.slice(0, limit).map((result) => ({
      title: result.title,
      link: result.link,
      imageUrl: result.thumbnailUrl ?? result.imageUrl ?? undefined,
    }));
    return attachResultImages(results, this.downloads, options.signal);
  }

  private post(path: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.http.json(
      `${this.baseUrl}${path}`,
      {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { 'x-api-key': this.options.apiKey, 'content-type': 'application/json' },
      },
      signal,
    );
  }
}
