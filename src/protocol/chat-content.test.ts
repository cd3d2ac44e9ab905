import { describe, expect, it } from 'vitest';
import { toChatContent, toRawContextAppend, VISION_TOKENS } from './chat-content.js';
import type { ModelImage } from './chat-message.js';

function image(id: string): ModelImage {
  return { id, mimeType: 'image/png', bytes: new Uint8Array([1]), width: 32, height: 32 };
}

describe('toChatContent', () => {
  it('puts each image part where its placeholder was', () => {
    const parts = toChatContent('Images:\n<image><image>\ndone', [image('a'), image('b')]);
    expect(parts).toEqual([
      { type: 'text', text: 'Images:\n' },
      { type: 'image', image: image('a') },
      { type: 'image', image: image('b') },
      { type: 'text', text: '\ndone' },
    ]);
  });

  it('appends images without placeholders after the text (the evaluation agent’s layout)', () => {
    expect(toChatContent('Images:\n', [image('a')])).toEqual([
      { type: 'text', text: 'Images:\n' },
      { type: 'image', image: image('a') },
    ]);
  });

  it('keeps placeholders beyond the attached images as text', () => {
    expect(toChatContent('1. <image>\n2. <image>', [image('a')])).toEqual([
      { type: 'text', text: '1. ' },
      { type: 'image', image: image('a') },
      { type: 'text', text: '\n2. <image>' },
    ]);
  });

  it('returns plain text as one part', () => {
    expect(toChatContent('Error: x', [])).toEqual([{ type: 'text', text: 'Error: x' }]);
  });
});

describe('toRawContextAppend', () => {
  it('closes the assistant turn, renders images as vision tokens and pre-fills <think>', () => {
    expect(toRawContextAppend('Images:\n<image>', 1)).toBe(
      `<|im_end|>\n<|im_start|>user\nImages:\n${VISION_TOKENS}<|im_end|>\n<|im_start|>assistant\n<think>`,
    );
  });

  it('adds vision tokens for images the text has no placeholder for', () => {
    expect(toRawContextAppend('Images:\n', 2)).toContain(
      `Images:\n${VISION_TOKENS}${VISION_TOKENS}<|im_end|>`,
    );
  });
});
