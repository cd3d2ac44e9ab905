import type { ContentPart, ModelImage } from './chat-message.js';
import { IMAGE_PLACEHOLDER } from './render-observation.js';

/** Qwen2.5-VL's rendering of one image; what RL writes where the observation says `<image>`. */
export const VISION_TOKENS = '<|vision_start|><|image_pad|><|vision_end|>';

const USER_TURN_START = '<|im_end|>\n<|im_start|>user\n';
const ASSISTANT_TURN_START = '<|im_end|>\n<|im_start|>assistant\n<think>';

/**
 * Observation text with `<image>` placeholders → chat content with each image part in place of its
 * placeholder (Qwen's chat template then renders exactly what RL inserts). Images beyond the
 * placeholders follow the text, which is how the evaluation agent attaches them; placeholders
 * beyond the images stay as text (upstream's 11+ image-search results).
 */
export function toChatContent(text: string, images: readonly ModelImage[]): ContentPart[] {
  const pieces = text.split(IMAGE_PLACEHOLDER);
  const parts: ContentPart[] = [];
  const pushText = (value: string) => {
    if (value === '') return;
    const previous = parts.at(-1);
    if (previous?.type === 'text') previous.text += value;
    else parts.push({ type: 'text', text: value });
  };
  pieces.forEach((piece, index) => {
    pushText(piece);
    if (index === pieces.length - 1) return;
    const image = images[index];
    if (image) parts.push({ type: 'image', image });
    else pushText(IMAGE_PLACEHOLDER);
  });
  for (const image of images.slice(pieces.length - 1)) parts.push({ type: 'image', image });
  if (parts.length === 0) parts.push({ type: 'text', text: '' });
  return parts;
}

/**
 * The exact text the RL rollout appends to the model's context after an observation: close the
 * assistant turn, the observation as a user turn with every `<image>` rendered as vision tokens,
 * then open the next assistant turn with `<think>` pre-filled. Images beyond the placeholders
 * (vlmevalkit-style text) get their vision tokens after the text.
 */
export function toRawContextAppend(text: string, imageCount = 0): string {
  const placeholders = text.split(IMAGE_PLACEHOLDER).length - 1;
  const extra = VISION_TOKENS.repeat(Math.max(0, imageCount - placeholders));
  return `${USER_TURN_START}${text.replaceAll(IMAGE_PLACEHOLDER, VISION_TOKENS)}${extra}${ASSISTANT_TURN_START}`;
}
