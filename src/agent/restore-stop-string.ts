import type { ChatReply } from '../model/chat-model.js';
import { TOOL_BLOCKS, TOOL_STOP_SEQUENCES } from '../protocol/prompts.js';

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
    return TOOL_STOP_SEQUENCES.includes(fired) && !text.endsWith(fired) ? text + fired : text;
  }
  for (const [open, close] of TOOL_BLOCKS) {
    if (text.lastIndexOf(open) > text.lastIndexOf(close)) return text + close;
  }
  return text;
}
