import { z } from 'zod';
import { AGENT_MODES, type AgentMode, COMPAT_PROFILES } from '../protocol/action.js';
import { CODE_REPAIR_MODES } from '../protocol/code-repair.js';
import { TOOL_FORMATS } from '../protocol/tool-format.js';

// One home for these names (protocol); re-exported for the CLI's option parsing.
export { AGENT_MODES, type AgentMode, CODE_REPAIR_MODES, COMPAT_PROFILES, TOOL_FORMATS };

/** What the model reads after code: DeepEyesV2's sandbox output (`reference`) or the kernel's own (`notebook`). */
export const CODE_OUTPUT_STYLES = ['reference', 'notebook'] as const;

/**
 * Everything that shapes one run. Defaults follow the released DeepEyesV2 RL run script
 * (9 turns, 8192 tokens per turn, 16384 per response) unless a profile says otherwise.
 */
export const agentOptionsSchema = z.object({
  /** agent: code + text search + image search; code: code only (the released eval harness); think: reason, no tools; direct: answer only. */
  mode: z.enum(AGENT_MODES).default('agent'),
  /** deepeyesv2: code + search tools; deepeyes-v1: DeepEyes v1's image_zoom_in_tool / image_rotate_tool calls. */
  toolFormat: z.enum(TOOL_FORMATS).default('deepeyesv2'),
  /** Whose parsing and observation rules to follow. */
  profile: z.enum(COMPAT_PROFILES).default('deepeyesv2'),
  /** Model calls per trajectory. */
  maxTurns: z.number().int().positive().default(9),
  /** `max_tokens` of each model call. */
  maxTokensPerTurn: z.number().int().positive().default(8192),
  /** Completion tokens summed over the trajectory. */
  maxTotalTokens: z.number().int().positive().default(16384),
  /** Wall-clock budget for the whole trajectory, model and tools included. */
  timeLimitMs: z.number().int().positive().default(600_000),
  temperature: z.number().min(0).optional(),
  topP: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  /** Pre-fill `<think>` after each observation, as the RL rollout does (needs vLLM's continue_final_message). */
  prefillThink: z.boolean().default(false),
  /** Budget of one code call. */
  codeTimeoutMs: z.number().int().positive().default(30_000),
  /**
   * What the model reads after code. reference: what DeepEyesV2's sandbox returned, which
   * the released weights were trained on (`Out[n]:` lines, display() texts in stdout, only
   * plt.show() figures as images, its syntax-error and timeout texts); notebook: the
   * kernel's own output (every displayed image, no `Out[n]:`).
   */
  codeOutput: z.enum(CODE_OUTPUT_STYLES).default('reference'),
  /** auto: run as written, re-indent only if it does not compile; upstream: always re-indent + autopep8; off. */
  codeRepair: z.enum(CODE_REPAIR_MODES).default('auto'),
  /** Images attached to one observation; upstream keeps the first 10. */
  maxObservationImages: z.number().int().positive().default(10),
  /** Let image_search name a region (`bbox_2d`) to search with a crop; off keeps DeepEyesV2's behaviour. */
  imageSearchRegion: z.boolean().default(false),
  /** Results per text or image search; the released environment uses 5. */
  searchTopK: z.number().int().positive().default(5),
  /** Exact system prompt text (e.g. loaded from --system-prompt-file); our own wording when absent. */
  systemPrompt: z.string().optional(),
  /** User prompt template with a `{question}` placeholder; our own wording when absent. */
  userTemplate: z.string().optional(),
  /**
   * When the trajectory's sandbox session is opened. eager: before the first model call, so the
   * kernel starts while the model thinks (the agent's and the eval's default); lazy: at the first
   * code call, so a trajectory that never runs code never opens one (curation rollouts, where most
   * answers need no code and a session per rollout would saturate the sandbox).
   */
  sessionOpen: z.enum(['eager', 'lazy']).default('eager'),
  /** Smart-resize bounds for input images, in pixels. */
  minPixels: z
    .number()
    .int()
    .positive()
    .default(4 * 28 * 28),
  maxPixels: z
    .number()
    .int()
    .positive()
    .default(16384 * 28 * 28),
});

export type AgentOptions = z.infer<typeof agentOptionsSchema>;
export type AgentOptionsInput = z.input<typeof agentOptionsSchema>;

/** Validates options and applies profile defaults (the evaluation agent allows 11 calls of 2048 tokens). */
export function resolveAgentOptions(input: AgentOptionsInput = {}): AgentOptions {
  const withProfile =
    input.profile === 'vlmevalkit'
      ? { maxTurns: 11, maxTokensPerTurn: 2048, temperature: 0, ...input }
      : input;
  return agentOptionsSchema.parse(withProfile);
}
