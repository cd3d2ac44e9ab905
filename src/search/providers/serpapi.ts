import { z } from 'zod';
import { SearchProviderError } from '../search-errors.js';
import { GoogleSearchApi, parseProviderAnswer, withImageUrl } from './google-search-api.js';
import { type GoogleWebResult, googleWebResultSchema } from './google-web-result.js';
import type { ImageHost } from './image-host.js';
import type { ProviderHttpOptions } from './provider-http.js';
import type { RemoteImageResult } from './result-images.js';

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
const NO_RESULTS = /hasn't returned any results/i;

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

export class SerpApiSearch extends GoogleSearchApi {
  private readonly baseUrl: string;

  constructor(private readonly options: SerpApiOptions) {
    super('serpapi', options.imageHost, options.http);
    this.baseUrl = (options.baseUrl ?? 'https://serpapi.com').replace(/\/$/, '');
  }

  protected async webResults(query: string, limit: number, signal?: AbortSignal): Promise<GoogleWebResult[]> {
    const answer = await this.get({ engine: 'google', q: query, num: String(limit) }, signal);
    if (answer === undefined) return [];
    return parseProviderAnswer(webSchema, answer, this.name).organic_results;
  }

  protected async lensMatches(imageUrl: string, signal?: AbortSignal): Promise<RemoteImageResult[]> {
    const answer = await this.get({ engine: 'google_lens', url: imageUrl }, signal);
    if (answer === undefined) return [];
    return parseProviderAnswer(lensSchema, answer, this.name, 'lens answer').visual_matches.map((match) => ({
      title: match.title,
      link: match.link,
      ...withImageUrl(match.thumbnail ?? match.image),
    }));
  }

  /** The answer, or undefined when SerpAPI says there are no results; its other errors throw. */
  private async get(parameters: Record<string, string>, signal?: AbortSignal): Promise<unknown> {
    const query = new URLSearchParams({ ...parameters, api_key: this.options.apiKey });
    const answer = await this.http.json(`${this.baseUrl}/search.json?${query}`, {}, signal);
    const error = errorSchema.safeParse(answer);
    if (!error.success) return answer;
    if (NO_RESULTS.test(error.data.error)) return undefined;
    throw new SearchProviderError(this.name, error.data.error);
  }
}
