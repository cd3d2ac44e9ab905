import { VISION_TOKENS } from '../protocol/chat-content.js';
import type { ChatMessage } from '../protocol/chat-message.js';

/** What Qwen2.5-VL's chat template inserts when the conversation has no system message. */
export const QWEN_DEFAULT_SYSTEM = 'You are a helpful assistant.';

/**
 * The prompt as Qwen2.5-VL's chat template renders it with `add_generation_prompt=True`: what a
 * token-level trainer tokenizes for the first turn. Each image part becomes
 * `<|vision_start|><|image_pad|><|vision_end|>` (the processor later repeats the pad per visual
 * token); text parts follow verbatim. No `<think>` is pre-filled on the first turn, as in the RL
 * rollout (only observations end with one).
 */
export function renderQwenPrompt(messages: readonly ChatMessage[]): string {
  const parts: string[] = [];
  if (messages[0]?.role !== 'system') parts.push(turn('system', QWEN_DEFAULT_SYSTEM));
  for (const message of messages) {
    const content =
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) => (part.type === 'text' ? part.text : VISION_TOKENS)).join('');
    parts.push(turn(message.role, content));
  }
  return `${parts.join('')}<|im_start|>assistant\n`;
}

function turn(role: string, content: string): string {
  return `<|im_start|>${role}\n${content}<|im_end|>\n`;
}
