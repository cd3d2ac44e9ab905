import type { ChatReply } from '../model/chat-model.js';

/** The stop strings of the DeepEyesV2 rollout: generation halts after a code block or a tool call. */
export const TOOL_STOP_SEQUENCES = ['</code>', '</tool_call>'] as const;

/**
 * The RL rollout keeps the stop string in the turn, but an OpenAI-compatible server drops it.
 * Put it back so the parser sees the turn the model was trained to write. When the server does not
 * say which stop string fired, infer it from the tag left open at the end of the text.
 */
export function restoreStopString(reply: Pick<ChatReply, 'text' | 'finishReason' | 'stopSequence'>): string {
  const { text } = reply;
  if (reply.finishReason !== 'stop') return text;
  const fired = reply.stopSequence;
  if (fired !== undefined) {
    return (TOOL_STOP_SEQUENCES as readonly string[]).includes(fired) && !text.endsWith(fired)
      ? text + fired
      : text;
  }
  for (const [open, close] of [
    ['<code>', '</code>'],
    ['<tool_call>', '</tool_call>'],
  ] as const) {
    if (text.lastIndexOf(open) > text.lastIndexOf(close)) return text + close;
  }
  return text;
}
