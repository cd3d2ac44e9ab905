import type { ChatMessage, ModelImage } from '../protocol/chat-message.js';
import type { StoredImage, StoredMessage, Trajectory, TurnRecord } from './trajectory.js';

/**
 * Collects what a run produced. Images are kept as bytes under relative paths so the JSON never
 * inlines them; `writeTrajectory` puts both on disk.
 */
export class TrajectoryRecorder {
  readonly files = new Map<string, Uint8Array>();
  readonly turns: TurnRecord[] = [];
  private readonly storedById = new Map<string, StoredImage>();

  /** Registers a model image once; later calls with the same id return the same file. */
  store(image: ModelImage): StoredImage {
    const known = this.storedById.get(image.id);
    if (known) return known;
    const extension = image.mimeType === 'image/jpeg' ? 'jpg' : 'png';
    const stored = { path: `images/${image.id}.${extension}`, width: image.width, height: image.height };
    this.files.set(stored.path, image.bytes);
    this.storedById.set(image.id, stored);
    return stored;
  }

  toStoredMessages(messages: ChatMessage[]): StoredMessage[] {
    return messages.map((message) => ({
      role: message.role,
      content:
        typeof message.content === 'string'
          ? message.content
          : message.content.map((part) =>
              part.type === 'text' ? part : { type: 'image' as const, image: this.store(part.image) },
            ),
    }));
  }

  finish(fields: Omit<Trajectory, 'version' | 'turns' | 'messages'>, messages: ChatMessage[]): Trajectory {
    return { version: 1, ...fields, messages: this.toStoredMessages(messages), turns: this.turns };
  }
}
