import { smartResize } from '../../image/smart-resize.js';

/** A LLaMA-Factory sharegpt sample (role/content tags, `images` paths). */
export type SftSample = {
  messages: { role: 'system' | 'user' | 'assistant'; content: string }[];
  images: string[];
};

export type SftLimits = {
  /** LLaMA-Factory `cutoff_len` (the released config: 20480). */
  cutoffLen: number;
  /** `image_max_pixels` (262144) and `image_min_pixels` (32²). */
  imageMaxPixels: number;
  imageMinPixels: number;
};

export const DEFAULT_SFT_LIMITS: SftLimits = {
  cutoffLen: 20480,
  imageMaxPixels: 262144,
  imageMinPixels: 32 * 32,
};

/**
 * `<|image_pad|>` tokens of one image: LLaMA-Factory first shrinks (or grows) it into
 * [image_min_pixels, image_max_pixels] with int() truncation, then the Qwen2-VL processor applies
 * smart_resize (factor 28), one pad per 28×28 block.
 */
export function imagePadCount(width: number, height: number, limits: SftLimits = DEFAULT_SFT_LIMITS): number {
  let w = width;
  let h = height;
  if (w * h > limits.imageMaxPixels) {
    const factor = Math.sqrt(limits.imageMaxPixels / (w * h));
    w = Math.trunc(w * factor);
    h = Math.trunc(h * factor);
  }
  if (w * h < limits.imageMinPixels) {
    const factor = Math.sqrt(limits.imageMinPixels / (w * h));
    w = Math.trunc(w * factor);
    h = Math.trunc(h * factor);
  }
  const resized = smartResize(
    { width: w, height: h },
    { factor: 28, minPixels: 56 * 56, maxPixels: 28 * 28 * 16384 },
  );
  return (resized.width / 28) * (resized.height / 28);
}

const DEFAULT_SYSTEM = 'You are a helpful assistant.';

/**
 * Every reason LLaMA-Factory would drop or break this sample (it drops with only a warning): roles
 * must alternate user/assistant after an optional system turn, the turn count must be even, the
 * `<image>` count must equal the images, and the `qwen2_vl` rendering with image pads must fit
 * `cutoff_len`. `imageSizes` gives each image's width × height; `countTokens` the tokenizer.
 */
export function validateSftSample(
  sample: SftSample,
  imageSizes: { width: number; height: number }[],
  countTokens: (text: string) => number,
  limits: SftLimits = DEFAULT_SFT_LIMITS,
): string[] {
  const problems: string[] = [];
  const hasSystem = sample.messages[0]?.role === 'system';
  const turns = hasSystem ? sample.messages.slice(1) : sample.messages;
  turns.forEach((message, index) => {
    const expected = index % 2 === 0 ? 'user' : 'assistant';
    if (message.role !== expected)
      problems.push(`turn ${index + 1} is ${message.role}, expected ${expected}`);
  });
  if (turns.length === 0 || turns.length % 2 !== 0) problems.push(`odd turn count ${turns.length}`);
  const markers = sample.messages.reduce(
    (sum, message) => sum + message.content.split('<image>').length - 1,
    0,
  );
  if (markers !== sample.images.length)
    problems.push(`${markers} <image> markers but ${sample.images.length} images`);
  if (imageSizes.length !== sample.images.length) problems.push('image sizes missing');
  const system = hasSystem ? sample.messages[0]!.content : DEFAULT_SYSTEM;
  let text = `<|im_start|>system\n${system}<|im_end|>\n`;
  for (const message of turns)
    text +=
      message.role === 'user'
        ? `<|im_start|>user\n${message.content}<|im_end|>\n<|im_start|>assistant\n`
        : `${message.content}<|im_end|>\n`;
  const pads = imageSizes.reduce((sum, size) => sum + imagePadCount(size.width, size.height, limits), 0);
  const tokens = countTokens(text.replaceAll('<image>', '<|vision_start|><|vision_end|>')) + pads;
  if (tokens > limits.cutoffLen) problems.push(`${tokens} tokens > cutoff_len ${limits.cutoffLen}`);
  return problems;
}
