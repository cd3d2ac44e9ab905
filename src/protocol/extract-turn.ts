import { PYTHON_SPACE_CLASS, pythonStrip } from './python-text.js';

/**
 * The raw pieces upstream pulls out of an assistant turn, before any decision. Two agents, two
 * rule sets: the RL environment takes the LAST of everything with regexes, the evaluation agent
 * the FIRST block with `str.split`.
 */

const ANSWER_PATTERN = /<answer>([\s\S]*?)<\/answer>/g;
const CODE_BLOCK_PATTERN = /<code>([\s\S]*?)<\/code>/g;
const TOOL_CALL_PATTERN = /<tool_call>([\s\S]*?)<\/tool_call>/g;
/** Upstream's r'```python\s*\n(.*?)\n```' (DOTALL); `\s` spelled out as Python's whitespace set. */
const PYTHON_FENCE_PATTERN = new RegExp(`\`\`\`python${PYTHON_SPACE_CLASS}*\\n([\\s\\S]*?)\\n\`\`\``, 'g');

function allGroups(pattern: RegExp, text: string): string[] {
  return Array.from(text.matchAll(pattern), (match) => match[1] ?? '');
}

/** What the RL environment extracts (`extract_answer`, `extract_python_code`, `extract_action`); null when absent. */
export type RlTurnParts = {
  /** Inner text of the last `<answer>…</answer>`, unstripped. */
  answer: string | null;
  /** The last python fence inside the last `<code>…</code>` block. */
  pythonCode: string | null;
  /** Inner text of the last `<tool_call>…</tool_call>`, unstripped. */
  toolCall: string | null;
};

export function extractRlTurnParts(text: string): RlTurnParts {
  return { answer: lastAnswer(text), pythonCode: lastPythonCode(text), toolCall: lastToolCall(text) };
}

export function allAnswers(text: string): string[] {
  return allGroups(ANSWER_PATTERN, text);
}

export function lastAnswer(text: string): string | null {
  return allAnswers(text).at(-1) ?? null;
}

/** All `<code>…</code>` block bodies (a `</code>` inside the code closes the block early, as upstream). */
export function codeBlocks(text: string): string[] {
  return allGroups(CODE_BLOCK_PATTERN, text);
}

/** All ```` ```python ```` fence bodies in a block (```` ```py ````, ```` ```Python ```` and bare fences do not count). */
export function pythonFences(block: string): string[] {
  return allGroups(PYTHON_FENCE_PATTERN, block);
}

export function lastPythonCode(text: string): string | null {
  const block = codeBlocks(text).at(-1);
  if (block === undefined) return null;
  return pythonFences(block).at(-1) ?? null;
}

export function lastToolCall(text: string): string | null {
  return allGroups(TOOL_CALL_PATTERN, text).at(-1) ?? null;
}

/**
 * The evaluation agent's code extraction: the text after the FIRST `<code>`, cut at `</code>`,
 * then after the first ```` ```python ```` and before the next ```` ``` ````, stripping at each step.
 * Fence-less code passes through; ```` ```python3 ```` leaves a stray `3` line; other fences give ''.
 * Expects `text` already normalised by {@link normalizeAssistantTurn} (so `</code>` is present).
 */
export function vlmevalkitCode(text: string): string {
  let code = text;
  if (code.includes('<code>')) code = pythonStrip(code.split('<code>')[1] ?? '');
  if (code.includes('</code>')) code = pythonStrip(code.split('</code>')[0] ?? '');
  if (code.includes('```python')) code = pythonStrip(code.split('```python')[1] ?? '');
  if (code.includes('```')) code = pythonStrip(code.split('```')[0] ?? '');
  return code;
}

/** The evaluation agent's final answer: the first `<answer>…</answer>` stripped, else the whole turn stripped. */
export function vlmevalkitAnswer(text: string): string {
  const first = allAnswers(text)[0];
  return pythonStrip(first ?? text);
}

/**
 * The assistant message as each agent keeps it in the conversation. The evaluation agent strips the
 * reply and closes a `<code>` block the stop string cut (`</code>` appended after the whole turn);
 * the RL rollout keeps the turn as generated.
 */
export function normalizeAssistantTurn(
  text: string,
  profile: 'deepeyesv2' | 'vlmevalkit' | 'upstream-rl',
): string {
  if (profile !== 'vlmevalkit') return text;
  const stripped = pythonStrip(text);
  return stripped.includes('<code>') && !stripped.includes('</code>') ? `${stripped}</code>` : stripped;
}
