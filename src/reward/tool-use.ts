import { z } from 'zod';
import { allAnswers } from '../protocol/extract-turn.js';
import { pythonStrip } from '../protocol/python-text.js';

/**
 * Which tools the model's own turns really called, decided the way the RL environment decides a turn's
 * action (DESIGN.md): a non-empty `<answer>` wins, then the literal `<code>`, then `<tool_call>`.
 * Upstream's search penalty instead counts the literal `<tool_call>` anywhere, even in reasoning
 * (golden README bug 29); the `deepeyesv2` profile uses these counts.
 */
export type ToolUse = {
  /** Turns that ran a code block (a ```python fence inside the last `<code>…</code>`). */
  codeCalls: number;
  /** Turns whose `<tool_call>` parsed as a search or image_search call. */
  toolCalls: number;
};

const TOOL_CALL_BODY = z.union([
  z.object({ name: z.literal('search'), arguments: z.object({ query: z.string() }) }),
  z.object({ name: z.literal('image_search'), arguments: z.null().optional() }),
]);

const PYTHON_FENCE = /```python\n[\s\S]*?\n```/;

function hasNonEmptyAnswer(turn: string): boolean {
  return allAnswers(turn).some((answer) => pythonStrip(answer) !== '');
}

function runsCode(turn: string): boolean {
  const close = turn.lastIndexOf('</code>');
  if (close < 0) return false;
  const open = turn.lastIndexOf('<code>', close);
  return open >= 0 && PYTHON_FENCE.test(turn.slice(open + '<code>'.length, close));
}

function parsesAsToolCall(turn: string): boolean {
  const close = turn.lastIndexOf('</tool_call>');
  if (close < 0) return false;
  const open = turn.lastIndexOf('<tool_call>', close);
  if (open < 0) return false;
  let body: unknown;
  try {
    body = JSON.parse(turn.slice(open + '<tool_call>'.length, close).trim());
  } catch {
    return false;
  }
  return TOOL_CALL_BODY.safeParse(body).success;
}

export function detectToolUse(modelTurns: readonly string[]): ToolUse {
  let codeCalls = 0;
  let toolCalls = 0;
  for (const turn of modelTurns) {
    if (hasNonEmptyAnswer(turn)) continue;
    if (turn.includes('<code>')) {
      if (runsCode(turn)) codeCalls++;
    } else if (turn.includes('<tool_call>') && parsesAsToolCall(turn)) {
      toolCalls++;
    }
  }
  return { codeCalls, toolCalls };
}
