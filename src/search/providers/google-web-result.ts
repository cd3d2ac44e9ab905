import { z } from 'zod';
import type { SearchHit } from '../search-provider.js';

/** One organic Google result as Serper and SerpAPI both return it (snippet and date may be absent or null). */
export const googleWebResultSchema = z.object({
  title: z.string(),
  link: z.string(),
  snippet: z.string().nullish(),
  date: z.string().nullish(),
});

export type GoogleWebResult = z.infer<typeof googleWebResultSchema>;

export function toSearchHit(result: GoogleWebResult): SearchHit {
  return {
    title: result.title,
    link: result.link,
    ...(typeof result.snippet === 'string' ? { snippet: result.snippet } : {}),
    ...(typeof result.date === 'string' ? { date: result.date } : {}),
  };
}
