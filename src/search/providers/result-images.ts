import type { ImageSearchHit } from '../search-provider.js';
import type { ProviderHttp } from './provider-http.js';

/** A reverse-image-search result before its picture is downloaded. */
export type RemoteImageResult = { title: string; link: string; imageUrl?: string };

/**
 * Downloads each result's picture (thumbnail first: small and served by the search provider).
 * A picture that fails to download leaves its hit without one; the agent shows only hits with
 * pictures, as the DeepEyesV2 observation pairs every entry with an `<image>`.
 */
export async function attachResultImages(
  results: RemoteImageResult[],
  http: ProviderHttp,
  signal?: AbortSignal,
): Promise<ImageSearchHit[]> {
  return Promise.all(
    results.map(async (result): Promise<ImageSearchHit> => {
      const hit = { title: result.title, link: result.link };
      if (!result.imageUrl) return hit;
      try {
        return { ...hit, image: await http.bytes(result.imageUrl, signal) };
      } catch {
        return hit;
      }
    }),
  );
}
