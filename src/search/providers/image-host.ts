import { z } from 'zod';
import { UserError } from '../../errors.js';
import { SearchProviderError } from '../search-errors.js';
import type { ProviderHttp } from './provider-http.js';

/**
 * Google Lens APIs (Serper, SerpAPI) search by image URL, not bytes: the picture must first be put
 * where Google can fetch it. Supply your own host (an S3 bucket, an image CDN) or use
 * `uploadEndpointImageHost` with any endpoint that takes the raw bytes and answers with a URL.
 */
export interface ImageHost {
  upload(image: Uint8Array, signal?: AbortSignal): Promise<string>;
}

const uploadAnswerSchema = z.union([z.object({ url: z.string().url() }), z.string().url()]);

/** POSTs the raw image bytes to `endpoint`; the answer is the public URL, as text or as `{"url": …}`. */
export function uploadEndpointImageHost(endpoint: string, http: ProviderHttp): ImageHost {
  return {
    async upload(image, signal) {
      const text = await http.text(
        endpoint,
        { method: 'POST', body: image, headers: { 'content-type': sniffImageType(image) } },
        signal,
      );
      let answer: unknown = text.trim();
      try {
        answer = JSON.parse(text);
      } catch {
        // A bare URL as the body is fine too.
      }
      const parsed = uploadAnswerSchema.safeParse(answer);
      if (!parsed.success)
        throw new SearchProviderError(http.provider, `image upload at ${endpoint} did not answer with a URL`);
      return typeof parsed.data === 'string' ? parsed.data : parsed.data.url;
    },
  };
}

export function requireImageHost(host: ImageHost | undefined, provider: string): ImageHost {
  if (host) return host;
  throw new UserError('image-host-missing', `${provider} image search needs the picture at a public URL`, {
    hint: 'set DEEPEYES_IMAGE_UPLOAD_URL (an endpoint that takes image bytes and answers with their URL) or use the local image index',
  });
}

function sniffImageType(image: Uint8Array): string {
  if (image[0] === 0xff && image[1] === 0xd8) return 'image/jpeg';
  if (image[0] === 0x89 && image[1] === 0x50) return 'image/png';
  if (image[0] === 0x52 && image[1] === 0x49) return 'image/webp';
  return 'application/octet-stream';
}
