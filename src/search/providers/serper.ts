import { z } from 'zod';
import { GoogleSearchApi, parseProviderAnswer, withImageUrl } from './google-search-api.js';
import { type GoogleWebResult, googleWebResultSchema } from './google-web-result.js';
import type { ImageHost } from './image-host.js';
import type { ProviderHttpOptions } from './provider-http.js';
import type { RemoteImageResult } from './result-images.js';

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

export class SerperSearch extends GoogleSearchApi {
  private readonly baseUrl: string;

  constructor(private readonly options: SerperOptions) {
    super('serper', options.imageHost, options.http);
    this.baseUrl = (options.baseUrl ?? 'https://google.serper.dev').replace(/\/$/, '');
  }

  protected async webResults(query: string, limit: number, signal?: AbortSignal): Promise<GoogleWebResult[]> {
    const answer = await this.post('/search', { q: query, num: limit }, signal);
    return parseProviderAnswer(organicSchema, answer, this.name).organic;
  }

  protected async lensMatches(imageUrl: string, signal?: AbortSignal): Promise<RemoteImageResult[]> {
    const answer = await this.post('/lens', { url: imageUrl }, signal);
    return parseProviderAnswer(lensSchema, answer, this.name, 'lens answer').organic.map((result) => ({
      title: result.title,
      link: result.link,
      ...withImageUrl(result.thumbnailUrl ?? result.imageUrl),
    }));
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
