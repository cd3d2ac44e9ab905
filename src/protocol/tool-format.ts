import { type AgentMode, type CompatProfile, type ToolSet, toolSetForMode } from './action.js';
import { DEEPEYES_V1_SYSTEM_PROMPT, DEEPEYES_V1_USER_SUFFIX } from './deepeyes-v1.js';
import { type BuiltPrompt, buildPrompt, stopSequences } from './prompts.js';

/**
 * How the model calls tools. `deepeyesv2`: `<code>` blocks and `search` / `image_search` tool calls;
 * `deepeyes-v1`: DeepEyes v1's `image_zoom_in_tool` / `image_rotate_tool` calls, nothing else.
 */
export const TOOL_FORMATS = ['deepeyesv2', 'deepeyes-v1'] as const;
export type ToolFormat = (typeof TOOL_FORMATS)[number];

/** What a run's tool choices depend on. */
export type ToolFormatChoice = {
  toolFormat: ToolFormat;
  mode: AgentMode;
  profile: CompatProfile;
  /** deepeyesv2 only: let `image_search` name a region (a deepeyes extension). */
  imageSearchRegion?: boolean;
};

/** The tools a run offers: the mode's DeepEyesV2 set, or v1's image tools in `agent` mode. */
export function toolSetFor(choice: ToolFormatChoice): ToolSet {
  if (choice.toolFormat === 'deepeyes-v1') {
    const imageTools = choice.mode === 'agent';
    return { code: false, search: false, imageSearch: false, zoomIn: imageTools, rotate: imageTools };
  }
  return { ...toolSetForMode(choice.mode), imageSearchRegion: choice.imageSearchRegion };
}

/**
 * Stop strings sent with every model call: none when the run offers no tools (the model just
 * answers), `</tool_call>` for v1, the profile's DeepEyesV2 stops otherwise.
 */
export function stopSequencesFor(choice: ToolFormatChoice, tools: ToolSet): string[] | undefined {
  if (choice.toolFormat === 'deepeyes-v1') return tools.zoomIn ? ['</tool_call>'] : undefined;
  return tools.code || tools.search ? stopSequences(choice.profile) : undefined;
}

/** Told to the model only when region image search is switched on (a deepeyes extension). */
const IMAGE_SEARCH_REGION_NOTE =
  'image_search can also search with a region of the first image: {"name": "image_search", "arguments": {"bbox_2d": [x1, y1, x2, y2]}}, in pixels of the image as you see it.';

export type RunPromptInput = {
  question: string;
  imageCount: number;
  /** Exact system text from the user; replaces every default (and the region note). */
  systemPrompt?: string;
  /** User template from the user, with a `{question}` placeholder. */
  userTemplate?: string;
};

/**
 * The opening prompt of a run in this tool format: v1's own system prompt and user suffix when its
 * image tools are on, and the region-search note appended to a default system prompt when enabled.
 */
export function runPromptFor(choice: ToolFormatChoice, tools: ToolSet, input: RunPromptInput): BuiltPrompt {
  const v1Tools = choice.toolFormat === 'deepeyes-v1' && tools.zoomIn === true;
  const prompt = buildPrompt({
    mode: choice.mode,
    question: input.question,
    imageCount: input.imageCount,
    systemPrompt: input.systemPrompt ?? (v1Tools ? DEEPEYES_V1_SYSTEM_PROMPT : undefined),
    userTemplate: input.userTemplate ?? (v1Tools ? `{question}${DEEPEYES_V1_USER_SUFFIX}` : undefined),
  });
  if (prompt.system && tools.imageSearch && tools.imageSearchRegion && input.systemPrompt === undefined) {
    return { ...prompt, system: `${prompt.system}\n\n${IMAGE_SEARCH_REGION_NOTE}` };
  }
  return prompt;
}
