import type { ChatRequest } from './chat-model.js';
import { messageText } from './convert-messages.js';
import type { ReplayLibrary, ReplayScript } from './replay-script.js';

/**
 * Which script of a library a request belongs to, decided by the request alone:
 * 1. the script whose `key` equals `request.metadata.itemId`;
 * 2. else the scripts whose `key` occurs in the first user message's text; the longest key wins (the most
 *    specific one), then the earliest in the file.
 * Undefined when nothing matches. A single-script file matches every request.
 */
export function findScript(library: ReplayLibrary, request: ChatRequest): ReplayScript | undefined {
  if (library.kind === 'single') return library.script;
  const itemId = request.metadata?.itemId;
  if (itemId !== undefined) {
    const exact = library.scripts.find((script) => script.key === itemId);
    if (exact) return exact;
  }
  const question = firstUserText(request);
  let best: ReplayScript | undefined;
  for (const script of library.scripts) {
    if (script.key === undefined || !question.includes(script.key)) continue;
    if (best === undefined || script.key.length > best.key!.length) best = script;
  }
  return best;
}

/** The text of the first user message, images left out: the question as the model saw it. */
export function firstUserText(request: ChatRequest): string {
  const first = request.messages.find((message) => message.role === 'user');
  return first === undefined ? '' : messageText(first);
}

/**
 * Where in the conversation a request is: the number of completed assistant turns, and the pre-filled
 * prefix (e.g. `<think>`) when the last message is an assistant message to continue.
 */
export function replayPosition(request: ChatRequest): { turnIndex: number; prefix: string } {
  const assistantCount = request.messages.filter((message) => message.role === 'assistant').length;
  const last = request.messages.at(-1);
  if (request.continueFinalMessage && last?.role === 'assistant') {
    return { turnIndex: assistantCount - 1, prefix: messageText(last) };
  }
  return { turnIndex: assistantCount, prefix: '' };
}
