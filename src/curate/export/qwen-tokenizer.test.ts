import { describe, expect, it } from 'vitest';
import { qwen25Tokenizer } from './qwen-tokenizer.js';

describe('qwen25Tokenizer', () => {
  it('should give Qwen2.5 ids for special tokens and plain text', () => {
    const ids = qwen25Tokenizer().encode('<|im_start|>user\nHello, world!<|im_end|>\n<|image_pad|>');
    expect(ids).toEqual([151644, 872, 198, 9707, 11, 1879, 0, 151645, 198, 151655]);
  });

  it('should read <think> as plain text, as Qwen2.5 does (Qwen3 has it as one added token)', () => {
    const ids = qwen25Tokenizer().encode('<think>');
    expect(ids.length).toBeGreaterThan(1);
    expect(ids).not.toContain(151667);
  });
});
