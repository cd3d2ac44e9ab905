import type { AgentMode, CompatProfile } from './action.js';
import { fillUserTemplate } from './prompt-template.js';

/*
 * deepeyes' own prompt wording. The tag formats are DeepEyesV2's, exactly (the model was trained
 * on them): `<think>`, `<code>` holding a ```` ```python ```` fence, `<tool_call>` holding a JSON
 * object naming `search` (with a string `query`) or `image_search` (no arguments), `<answer>`, and
 * input images preloaded as `image_1`, `image_2`, …. The authors' exact texts can be loaded from
 * files instead (see `loadPromptFiles`).
 */

const CODE_EXAMPLE = '<code>\n```python\n# your code here\n```\n</code>';
const IMAGE_SEARCH_EXAMPLE = '<tool_call>\n{"name": "image_search"}\n</tool_call>';
const SEARCH_EXAMPLE =
  '<tool_call>\n{"name": "search", "arguments": {"query": "the text to search for"}}\n</tool_call>';

const OPENING =
  "You are a visual agent. Work out the answer to the user's question about the image(s) step by step, " +
  'and keep going until you are sure the question is resolved.';

const PYTHON_SECTION = `## Python
Run Python in a Jupyter notebook to look at the image(s) more closely whenever it could help: crop and zoom into a region, rotate, change contrast, measure, count, or compute. The input images are already loaded as PIL images, in order: the first is \`image_1\`, the second \`image_2\`, and so on. Use these variables directly; do not open the files again. You get back stdout, stderr and every figure shown with \`plt.show()\`. The kernel keeps variables and functions between calls. Code must finish in bounded time and must not write files. Put the code in a python fence inside <code> </code>:
${CODE_EXAMPLE}`;

const SEARCH_SECTION = `## Search
Search when the answer needs knowledge you are not sure of. Call a tool with a JSON object inside <tool_call> </tool_call>:
- image_search takes no arguments: it looks up the original image on the web and returns similar images with the titles of their pages. Use it at most once.
${IMAGE_SEARCH_EXAMPLE}
- search runs a web search for "query" and returns titles, links and snippets. One query per call; search again in a later turn if needed.
${SEARCH_EXAMPLE}
Cross-check what you find before you rely on it.`;

function agentSystemPrompt(withSearch: boolean): string {
  const actions = withSearch
    ? 'After your reasoning, either run Python code, call one search tool, or give the final answer. Use one kind of tool per turn, never code and search together.'
    : 'After your reasoning, either run Python code or give the final answer.';
  const parts = [
    OPENING,
    `Start every turn with your reasoning inside <think> </think>. ${actions} Plan before each tool call and reflect on what it returned; do not just chain tool calls.`,
    PYTHON_SECTION,
  ];
  if (withSearch) parts.push(SEARCH_SECTION);
  parts.push('## Answer\nWhen you are done, put the final answer inside <answer> </answer>.');
  return parts.join('\n\n');
}

const SYSTEM_PROMPTS: Record<AgentMode, string | undefined> = {
  agent: agentSystemPrompt(true),
  code: agentSystemPrompt(false),
  think:
    'Answer the question about the image(s). First reason step by step inside <think> </think>, then give the final answer inside <answer> </answer>.',
  direct: 'Answer the question about the image(s) directly and briefly.',
};

/** User prompt templates; `{question}` is replaced by the question text. */
const USER_TEMPLATES: Record<AgentMode, string> = {
  agent:
    '{question}\n\nReason step by step inside <think> </think>. Use Python code to inspect the image and search the web when it helps. Then put the final answer inside <answer> </answer>, e.g. <answer> your answer </answer>.',
  code: '{question}\n\nReason step by step inside <think> </think>. Use Python code to inspect the image when it helps. Then put the final answer inside <answer> </answer>, e.g. <answer> your answer </answer>.',
  think:
    '{question}\n\nReason step by step inside <think> </think>, then put the final answer inside <answer> </answer>, e.g. <think> reasoning </think><answer> answer </answer>.',
  direct: '{question}',
};

export function defaultSystemPrompt(mode: AgentMode): string | undefined {
  return SYSTEM_PROMPTS[mode];
}

export function defaultUserTemplate(mode: AgentMode): string {
  return USER_TEMPLATES[mode];
}

export type BuildPromptInput = {
  mode: AgentMode;
  question: string;
  /** Number of input images; the images go before the text in the user message. */
  imageCount: number;
  /** Exact system text (e.g. the authors', from a file); replaces ours. '' sends no system message. */
  systemPrompt?: string;
  /** User template with a `{question}` placeholder (see `fillUserTemplate`); replaces ours. */
  userTemplate?: string;
};

export type BuiltPrompt = {
  /** Absent: no system message. */
  system?: string;
  /** The text part of the first user message. */
  user: string;
};

/** The first two messages of a run: system text and the user text that follows the input images. */
export function buildPrompt(input: BuildPromptInput): BuiltPrompt {
  const system = input.systemPrompt ?? defaultSystemPrompt(input.mode);
  const user = fillUserTemplate(input.userTemplate ?? defaultUserTemplate(input.mode), input.question);
  return system ? { system, user } : { user };
}

/** The blocks a DeepEyesV2 tool turn ends with, as [open, close] tags; generation stops at the close. */
export const TOOL_BLOCKS = [
  ['<code>', '</code>'],
  ['<tool_call>', '</tool_call>'],
] as const;

/** The RL rollout's stop strings: the closing tag of every tool block. */
export const TOOL_STOP_SEQUENCES: readonly string[] = TOOL_BLOCKS.map(([, close]) => close);

/**
 * Stop strings for the model server. The RL rollout stops after a code block or a tool call and
 * keeps the stop string; the evaluation agent stops at `</code>` and `<|im_end|>`.
 */
export function stopSequences(profile: CompatProfile): string[] {
  return profile === 'vlmevalkit' ? ['</code>', '<|im_end|>'] : [...TOOL_STOP_SEQUENCES];
}
