import type { ToolCallRecord } from '../agent/trajectory.js';
import { InputFormatError } from '../errors.js';
import { openImage, renderImage } from '../image/index.js';
import type { ContentPart, ModelImage } from '../protocol/chat-message.js';
import type { EnvProfile } from './episode-spec.js';

/** An image of the wire: PNG (or the JPEG an image search returned) as base64 with its size. */
export type WireImage = { mime_type: string; width: number; height: number; data: string };
/** A chat content part of the wire: text, or the index of an image in the accompanying list. */
export type WirePart = { type: 'text'; text: string } | { type: 'image'; image_index: number };
export type WireMessage = { role: string; content: string | WirePart[] };

export type EpisodePrompt = {
  messages: WireMessage[];
  /** Qwen2.5-VL chat-template text of the prompt, generation prompt included. */
  raw: string;
  images: WireImage[];
  /** What to send the model server with: stop strings (kept in the output), bad words, per-turn cap. */
  sampling: { stop: string[]; include_stop_str_in_output: true; bad_words: string[]; max_tokens: number };
};

export type StepObservation = {
  /** The user turn's text with one `<image>` per image. */
  text: string;
  content: WirePart[];
  /** What the RL rollout appends to the context: `<|im_end|>\n<|im_start|>user\n…<|im_start|>assistant\n<think>`. */
  raw: string;
  /** The same with `<image>` placeholders: what the DeepEyesV2 fork's env returns as `prompt`. */
  prompt: string;
  images: WireImage[];
};

export type StepResult = {
  episode_id: string;
  turn: number;
  action: string;
  done: boolean;
  /** Why the episode ended: answer, max-turns, length, a parse end reason, tool-error, sandbox-error. */
  done_reason: string | null;
  answer: string | null;
  observation: StepObservation | null;
  tool: ToolCallRecord | null;
  /** In ms; `overhead_ms` is everything but the sandbox call and the search. */
  timings: { total_ms: number; sandbox_ms: number; search_ms: number; overhead_ms: number };
  error: string | null;
};

export type EpisodeSummary = {
  episode_id: string;
  profile: EnvProfile;
  turns: number;
  done: boolean;
  done_reason: string | null;
  answer: string | null;
};

/** verl's bad words for the DeepEyesV2 rollout: never generate these. */
export const ROLLOUT_BAD_WORDS = ['<|endoftext|>', '<size>', '<|im_start|>'];

/** Tokens per model turn in the released run (`single_response_max_tokens`). */
export const TURN_MAX_TOKENS = 8192;

export function decodeImage(value: string, index: number): Uint8Array {
  const base64 = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0)
    throw new InputFormatError('image-unreadable', `images[${index}] is not base64 image data`);
  return new Uint8Array(bytes);
}

export async function toWireImage(image: ModelImage): Promise<WireImage> {
  // The contract is PNG; an image search may return JPEG, re-encoded losslessly from its pixels.
  const bytes =
    image.mimeType === 'image/png' ? image.bytes : (await renderImage(openImage(image.bytes).png())).bytes;
  return {
    mime_type: 'image/png',
    width: image.width,
    height: image.height,
    data: Buffer.from(bytes).toString('base64'),
  };
}

export function toWireParts(parts: readonly ContentPart[], firstIndex: number): WirePart[] {
  let next = firstIndex;
  return parts.map((part) =>
    part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image', image_index: next++ },
  );
}
