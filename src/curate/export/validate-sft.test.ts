import { describe, expect, it } from 'vitest';
import { qwen25Tokenizer } from './qwen-tokenizer.js';
import { imagePadCount, type SftSample, validateSftSample } from './validate-sft.js';

const count = (text: string) => qwen25Tokenizer().encode(text).length;
const size = { width: 640, height: 480 };
const good: SftSample = {
  messages: [
    { role: 'user', content: '<image>What is shown?' },
    { role: 'assistant', content: '<think>a cat</think>\n<answer>cat</answer>' },
  ],
  images: ['a.png'],
};

describe('validateSftSample', () => {
  it('should pass a well-formed sample', () => {
    expect(validateSftSample(good, [size], count)).toEqual([]);
  });
  it('should catch roles that do not alternate', () => {
    const bad = { ...good, messages: [good.messages[0]!, { role: 'user' as const, content: 'x' }] };
    expect(validateSftSample(bad, [size], count)).toContain('turn 2 is user, expected assistant');
  });
  it('should catch an odd turn count', () => {
    const bad = { ...good, messages: [...good.messages, { role: 'user' as const, content: 'more' }] };
    expect(validateSftSample(bad, [size], count)).toContain('odd turn count 3');
  });
  it('should catch <image> markers that do not match the images', () => {
    expect(validateSftSample({ ...good, images: ['a.png', 'b.png'] }, [size, size], count)).toContain(
      '1 <image> markers but 2 images',
    );
  });
  it('should catch a sample longer than cutoff_len once image pads are counted', () => {
    const problems = validateSftSample(good, [size], count, {
      cutoffLen: 300,
      imageMaxPixels: 262144,
      imageMinPixels: 1024,
    });
    expect(problems.join()).toMatch(/tokens > cutoff_len 300/u);
  });
  it('should count pads as LLaMA-Factory at image_max_pixels 262144', () => {
    // 640×480 = 307200 px → ×0.92376 → int 591×443 → smart_resize 588×448 → 21×16 blocks.
    expect(imagePadCount(640, 480)).toBe(336);
  });
});
