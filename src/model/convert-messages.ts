import { UserError } from '../errors.js';
import type { ChatMessage, ContentPart, ModelImage } from '../protocol/chat-message.js';

/** One message in OpenAI chat-completions form. */
export type OpenAIMessage = {
  role: 'system' | 'user' | 'assistant';
  content: string | OpenAIContentPart[];
};

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string } };

/**
 * Base64 data URIs of images already sent. The agent resends every earlier image on every turn, and a
 * 2000×1500 PNG is megabytes of base64, so each image is encoded once per trajectory.
 *
 * Keyed by the image's byte array rather than by `ModelImage.id` alone: ids repeat across
 * trajectories (every run has an `input-1`), while the agent keeps the same bytes object for a given
 * image id for the whole run. A WeakMap lets a finished trajectory's entries go with its images.
 */
export class DataUriCache {
  private readonly uris = new WeakMap<Uint8Array, { id: string; uri: string }>();
  private encodes = 0;

  /** How many images were actually base64-encoded (cache misses), for tests and benchmarks. */
  get encodedCount(): number {
    return this.encodes;
  }

  dataUri(image: ModelImage): string {
    const cached = this.uris.get(image.bytes);
    if (cached !== undefined && cached.id === image.id) return cached.uri;
    const uri = `data:${image.mimeType};base64,${Buffer.from(image.bytes.buffer, image.bytes.byteOffset, image.bytes.byteLength).toString('base64')}`;
    this.encodes += 1;
    this.uris.set(image.bytes, { id: image.id, uri });
    return uri;
  }
}

/**
 * Converts deepeyes chat messages to the `messages` array of an OpenAI chat-completions request.
 * Text-only content becomes a plain string (what every server accepts, and what Qwen's chat template
 * renders identically); content with images becomes parts in order, each image an `image_url` data URI,
 * so an observation's images stay where its `<image>` placeholders were.
 */
export function convertMessages(messages: readonly ChatMessage[], cache: DataUriCache): OpenAIMessage[] {
  return messages.map((message) => ({ role: message.role, content: convertContent(message, cache) }));
}

function convertContent(message: ChatMessage, cache: DataUriCache): string | OpenAIContentPart[] {
  if (typeof message.content === 'string') return message.content;
  const parts: readonly ContentPart[] = message.content;
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => part.text).join('');
  if (message.role !== 'user') {
    // The OpenAI API (and vLLM's templates) accept images in user turns only.
    throw new UserError(
      'model-image-role',
      `An image was put in a ${message.role} message; only user messages may carry images`,
    );
  }
  return parts.map(
    (part): OpenAIContentPart =>
      part.type === 'text'
        ? { type: 'text', text: part.text }
        : { type: 'image_url', image_url: { url: cache.dataUri(part.image) } },
  );
}

/** The plain text of a message (image parts dropped), e.g. to match a question or count characters. */
export function messageText(message: ChatMessage): string {
  if (typeof message.content === 'string') return message.content;
  return message.content.map((part) => (part.type === 'text' ? part.text : '')).join('');
}
