import { z } from 'zod';
import { SearchProviderError } from '../search-errors.js';
import type { SearchHit, SearchOptions, SearchProvider } from '../search-provider.js';
import { parseProviderAnswer } from './google-search-api.js';
import { ProviderHttp, type ProviderHttpOptions } from './provider-http.js';

/** Brave Search web API (`/res/v1/web/search`). Key: BRAVE_API_KEY. Text only: Brave has no reverse image search. */
export type BraveOptions = {
  apiKey: string;
  /** Default https://api.search.brave.com */
  baseUrl?: string;
  /** The free plan allows one request per second: default 1100 ms between requests. */
  http?: ProviderHttpOptions;
};

const webSchema = z.object({
  web: z
    .object({
      results: z
        .array(
          z.object({
            title: z.string(),
            url: z.string(),
            description: z.string().nullish(),
            page_age: z.string().nullish(),
            age: z.string().nullish(),
          }),
        )
        .default([]),
    })
    .optional(),
});

export class BraveSearch implements SearchProvider {
  readonly name = 'brave';
  private readonly http: ProviderHttp;
  private readonly baseUrl: string;

  constructor(private readonly options: BraveOptions) {
    this.baseUrl = (options.baseUrl ?? 'https://api.search.brave.com').replace(/\/$/, '');
    this.http = new ProviderHttp('brave', { minIntervalMs: 1100, ...options.http });
  }

  async search(query: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    // Brave allows count ≤ 20.
    const limit = Math.min(20, options.limit ?? 5);
    const parameters = new URLSearchParams({ q: query, count: String(limit) });
    const answer = await this.http.json(
      `${this.baseUrl}/res/v1/web/search?${parameters}`,
      { headers: { 'x-subscription-token': this.options.apiKey } },
      options.signal,
    );
    const data = parseProviderAnswer(webSchema, answer, this.name);
    return (data.web?.results ?? []).slice(0, limit).map((result) => {
      const date = result.age ?? result.page_age ?? undefined;
      return {
        title: stripTags(result.title),
        link: result.url,
        ...(typeof result.description === 'string' ? { snippet: stripTags(result.description) } : {}),
        ...(date !== undefined ? { date } : {}),
      };
    });
  }
}

/** Brave marks matched words with `<strong>`; the model should read plain text. */
export function stripTags(text: string): string {
  return text
    .replace(/<[^>]+>/g, '')
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}
