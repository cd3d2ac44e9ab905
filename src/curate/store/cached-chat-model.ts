import { createHash } from 'node:crypto';
import type { ChatModel, ChatReply, ChatRequest } from '../../model/chat-model.js';
import type { ModelImage } from '../../protocol/chat-message.js';
import { type CurationStore, stableJson } from './curation-store.js';

const imageDigests = new WeakMap<ModelImage, string>();

function imageDigest(image: ModelImage): string {
  let digest = imageDigests.get(image);
  if (!digest) {
    digest = createHash('sha256').update(image.bytes).digest('hex');
    imageDigests.set(image, digest);
  }
  return digest;
}

/** The cache key of a request to a model: everything that changes the reply, images by digest. */
export function requestKey(modelName: string, request: ChatRequest): string {
  const messages = request.messages.map((message) => ({
    role: message.role,
    content:
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) =>
            part.type === 'text'
              ? part.text
              : { image: imageDigest(part.image), size: [part.image.width, part.image.height] },
          ),
  }));
  const { metadata: _metadata, messages: _messages, ...settings } = request;
  return createHash('sha256')
    .update(stableJson({ model: modelName, messages, settings }))
    .digest('hex');
}

/**
 * A `ChatModel` that answers from the curation store when it has seen the exact request before
 * (same model, messages, images, sampling, seed), so rerunning a stage with the same settings costs
 * no model call. Only complete replies are cached; errors are not.
 */
export class CachedChatModel implements ChatModel {
  readonly name: string;
  hits = 0;
  misses = 0;

  constructor(
    private readonly inner: ChatModel,
    private readonly store: CurationStore,
  ) {
    this.name = inner.name;
  }

  async complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply> {
    const key = requestKey(this.inner.name, request);
    const cached = this.store.cachedReply(key);
    if (cached !== undefined) {
      this.hits++;
      return { ...(JSON.parse(cached) as ChatReply), latencyMs: 0 };
    }
    const reply = await this.inner.complete(request, signal);
    this.misses++;
    this.store.cacheReply(key, JSON.stringify(reply));
    return reply;
  }
}
