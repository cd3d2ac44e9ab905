import type { ChatMessage, ModelImage } from '../protocol/chat-message.js';
import {
  runPromptFor,
  stopSequencesFor,
  type ToolFormatChoice,
  toolSetFor,
} from '../protocol/tool-format.js';
import type { AgentOptions } from './agent-options.js';
import type { LoopState } from './loop-state.js';

export type OpenLoopInput = {
  /** Item or run id; the model gets it as `metadata.itemId`. */
  runId: string;
  question: string;
  /** Input images as the model sees them (already resized and encoded), in order. */
  inputImages: readonly ModelImage[];
  options: AgentOptions;
  /** upstream-rl only: the RL item index the parser leaks into error texts (see `parseTurn`). */
  dataIndex?: string | number;
};

/**
 * The state before the first step: the run's tools and stop strings for its tool format, and
 * the opening chat (system prompt, then the input images followed by the question).
 * Feed it to `nextStep` with a `start` input.
 */
export function openLoop(input: OpenLoopInput): LoopState {
  const { options } = input;
  const choice: ToolFormatChoice = {
    toolFormat: options.toolFormat,
    mode: options.mode,
    profile: options.profile,
    imageSearchRegion: options.imageSearchRegion,
  };
  const tools = toolSetFor(choice);
  const prompt = runPromptFor(choice, tools, {
    question: input.question,
    imageCount: input.inputImages.length,
    systemPrompt: options.systemPrompt,
    userTemplate: options.userTemplate,
  });
  const messages: ChatMessage[] = [];
  if (prompt.system) messages.push({ role: 'system', content: prompt.system });
  messages.push({
    role: 'user',
    content: [
      ...input.inputImages.map((image) => ({ type: 'image' as const, image })),
      { type: 'text', text: prompt.user },
    ],
  });
  return {
    config: {
      options,
      tools,
      stop: stopSequencesFor(choice, tools),
      runId: input.runId,
      ...(input.dataIndex === undefined ? {} : { dataIndex: input.dataIndex }),
    },
    messages,
    turns: [],
    progress: { modelCalls: 0, completionTokens: 0, elapsedMs: 0 },
    promptTokens: 0,
    answer: null,
    phase: 'ready',
  };
}
