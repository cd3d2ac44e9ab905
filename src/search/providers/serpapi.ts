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

/** SerpAPI: Google web search (`engine=google`) and Google Lens (`engine=google_lens`). Key: SERPAPI_API_KEY. */
export type SerpApiOptions = {
  apiKey: string;
  /** Default https://serpapi.com */
  baseUrl?: string;
  http?: ProviderHttpOptions;
  /** Google Lens takes an image URL. */
  imageHost?: ImageHost;
};

// SerpAPI answers HTTP 200 with {"error": "..."} for some failures (no results, bad key on some plans).
const errorSchema = z.object({ error: z.string() });

const webSchema = z.object({
  organic_results: z.array(googleWebResultSchema).default([]),
});

const lensSchema = z.object({
  visual_matches: z
    .array(
      z.object({
        title: z.string(),
        link: z.string(),
        thumbnail: z.string().nullish(),
        image: z.string().nullish(),
      }),
    )
    .default([]),
});

export class SerpApiSearch implements SearchProvider, ImageSearchProvider {
  readonly name = 'serpapi';
  private readonly http: ProviderHttp;
  private readonly downloads: ProviderHttp;
  private readonly baseUrl: string;

  constructor(private readonly options: SerpApiOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://serpapi.com').replace(/\/$/, '');
    this.http = new ProviderHttp('serpapi', options.http);
    this.downloads = new ProviderHttp('serpapi image download', {
      ...options.http,
      minIntervalMs: 0,
      retries: 1,
    });
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 5;
    const answer = await this.get({ engine: 'google', q: query, num: String(limit) }, options.signal);
    if (isNoResults(answer)) return [];
    const parsed = webSchema.safeParse(answer);
    if (!parsed.success)
      throw new SearchProviderError(this.name, `unexpected answer shape: ${parsed.error.issues[0]?.message}`);
    return parsed.data.organic_results.slice(0, limit).map(toSearchHit);
  }

  async searchImage(image: Uint8Array, options: SearchOptions = {}): Promise<ImageSearchHit[]> {
    const limit = options.limit ?? 5;
    const url = await requireImageHost(this.options.imageHost, this.name).upload(image, options.signal);
    const answer = await this.get({ engine: 'google_lens', url }, options.signal);
    if (isNoResults(answer)) return [];
    const parsed = lensSchema.safeParse(answer);
    if (!parsed.success)
      throw new SearchProviderError(
        this.name,
        `unexpected lens answer shape: ${parsed.error.issues[0]?.message}`,
      );
    const results = parsed.data.visual_matches.slice(0, limit).map((match) => ({
      title: match.title,
      link: match.link,
      imageUrl: match.thumbnail ?? match.image ?? undefined,
    }));
    return attachResultImages(results, this.downloads, options.signal);
  }

  private async get(parameters: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const query = new URLSearchParams({ ...parameters, api_key: this.options.apiKey });
    const answer = await this.http.json(`${this.baseUrl}/search.json?${query}`, {}, signal);
    const error = errorSchema.safeParse(answer);
    if (error.success && !/hasn't returned any results/i.test(error.data.error)) {
      throw new SearchProviderError(this.name, error.data.error);
    }
    return answer;
  }
}

function isNoResults(answer: unknown): boolean {
  const error = errorSchema.safeParse(answer);
  return error.success && /hasn't returned any results/i.test(error.data.error);
}
