import { z } from 'zod';
import { SearchProviderError } from '../search-errors.js';
import type { SearchHit, SearchOptions, SearchProvider } from '../search-provider.js';
import { parseProviderAnswer } from './google-search-api.js';
import { ProviderHttp, type ProviderHttpOptions } from './provider-http.js';

/**
 * A self-hosted SearXNG instance (`/search?format=json`; the instance must list `json` under
 * `search.formats` in its settings.yml). URL: SEARXNG_URL. No key.
 */
export type SearxngOptions = {
  baseUrl: string;
  http?: ProviderHttpOptions;
  /** Comma-separated SearXNG engines, e.g. `google,bing`; default: the instance's defaults. */
  engines?: string;
};

const resultsSchema = z.object({
  results: z
    .array(
      z.object({
        title: z.string(),
        url: z.string(),
        content: z.string().nullish(),
        publishedDate: z.string().nullish(),
      }),
    )
    .default([]),
});

export class SearxngSearch implements SearchProvider {
  readonly name = 'searxng';
  private readonly http: ProviderHttp;
  private readonly baseUrl: string;

  constructor(private readonly options: SearxngOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, '');
    this.http = new ProviderHttp('searxng', options.http);
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const limit = options.limit ?? 5;
    const parameters = new URLSearchParams({
      q: query,
      format: 'json',
      ...(this.options.engines ? { engines: this.options.engines } : {}),
    });
    const answer = await this.http.json(`${this.baseUrl}/search?${parameters}`, {}, options.signal);
    const data = parseProviderAnswer(resultsSchema, answer, this.name);
    // SearXNG has no result-count parameter: it returns a page (~20); keep the first `limit`.
    return data.results.slice(0, limit).map((result) => ({
      title: result.title,
      link: result.url,
      ...(result.content ? { snippet: result.content } : {}),
      ...(result.publishedDate ? { date: result.publishedDate.slice(0, 10) } : {}),
    }));
  }
}
