import { parseTurn } from '../protocol/parse-turn.js';

/**
 * Which tools the model's own turns really called, decided by the protocol layer's `parseTurn`
 * with the `deepeyesv2` rules the RL environment applies (DESIGN.md): a non-empty `<answer>` wins,
 * then the literal `<code>`, then `<tool_call>`. Upstream's search penalty instead counts the
 * literal `<tool_call>` anywhere, even in reasoning (golden README bug 29); the `deepeyesv2`
 * profile uses these counts.
 */
export type ToolUse = {
  /** Turns that ran a code block (a ```python fence inside the last `<code>…</code>`). */
  codeCalls: number;
  /** Turns whose `<tool_call>` parsed as a search or image_search call. */
  toolCalls: number;
};

export function detectToolUse(modelTurns: readonly string[]): ToolUse {
  let codeCalls = 0;
  let toolCalls = 0;
  for (const turn of modelTurns) {
    const action = parseTurn(turn, { profile: 'deepeyesv2' });
    if (action.kind === 'code') codeCalls++;
    else if (action.kind === 'search' || action.kind === 'image-search') toolCalls++;
  }
  return { codeCalls, toolCalls };
}
