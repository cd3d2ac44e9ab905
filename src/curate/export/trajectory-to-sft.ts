import type { StoredImage, StoredMessage, Trajectory } from '../../agent/trajectory.js';
import { IMAGE_PLACEHOLDER } from '../../protocol/render-observation.js';
import type { SftSample } from './validate-sft.js';

/** A sample before its image paths are placed under the media dir: images as the trajectory stored them. */
export type SftDraft = { messages: SftSample['messages']; images: StoredImage[] };

function flatten(message: StoredMessage, images: StoredImage[]): string {
  if (typeof message.content === 'string') return message.content;
  return message.content
    .map((part) => {
      if (part.type === 'text') return part.text;
      images.push(part.image);
      return IMAGE_PLACEHOLDER;
    })
    .join('');
}

/**
 * A teacher trajectory as a LLaMA-Factory sharegpt sample: the system prompt and the first user turn
 * as the model read them (one `<image>` where each input image was), then per model turn the
 * assistant text as generated (a pre-filled `<think>` included) and, after a tool call, a user turn
 * with the observation text exactly as the RL environment renders it between `<|im_start|>user\n`
 * and `<|im_end|>` (its `<image>` markers in place), its images listed in order. Pure.
 */
export function trajectoryToSft(trajectory: Trajectory): SftDraft {
  const images: StoredImage[] = [];
  const messages: SftSample['messages'] = [];
  const system = trajectory.messages.find((message) => message.role === 'system');
  if (system) messages.push({ role: 'system', content: flatten(system, []) });
  const firstUser = trajectory.messages.find((message) => message.role === 'user');
  if (!firstUser) throw new Error(`trajectory ${trajectory.id} has no user turn`);
  messages.push({ role: 'user', content: flatten(firstUser, images) });
  for (const turn of trajectory.turns) {
    messages.push({ role: 'assistant', content: turn.assistant });
    if (turn.observation === undefined) continue;
    messages.push({ role: 'user', content: turn.observation });
    const attached = turn.observationImages ?? [];
    const markers = turn.observation.split(IMAGE_PLACEHOLDER).length - 1;
    // The RL observation names exactly its attached images; anything else is a recording bug.
    if (markers !== attached.length)
      throw new Error(
        `trajectory ${trajectory.id} turn ${turn.index + 1}: ${markers} <image> markers but ${attached.length} images`,
      );
    images.push(...attached);
  }
  return { messages, images };
}
