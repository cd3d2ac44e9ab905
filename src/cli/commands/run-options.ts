import type { Command } from 'commander';
import { z } from 'zod';
import {
  AGENT_MODES,
  CODE_OUTPUT_STYLES,
  CODE_REPAIR_MODES,
  COMPAT_PROFILES,
  TOOL_FORMATS,
} from '../../agent/agent-options.js';
import { CACHE_MODES } from '../../search/search-cache.js';

/**
 * Flags shared by every command that drives the agent (run, demo, eval). Names follow vLLM and
 * VLMEvalKit habits: --model is where the server is, --model-name what it serves.
 */
export function addAgentFlags(command: Command): Command {
  return command
    .option(
      '--model <url[,url...]>',
      'OpenAI-compatible server(s), e.g. http://localhost:8000/v1 (several: round-robin)',
    )
    .option('--model-name <name>', 'model name to request (default: the only model the server lists)')
    .option('--api-key <key>', 'API key for the model server (default: $OPENAI_API_KEY)')
    .option('--model-timeout <seconds>', 'limit on one model call, per attempt (default 600)')
    .option(
      '--model-discovery-timeout <seconds>',
      'limit on one GET /v1/models (finding the model name), per attempt (default 30)',
    )
    .option(
      '--replay <file>',
      'play recorded assistant turns from a trajectory/JSONL file instead of a live model (labelled replay)',
    )
    .option('--mode <mode>', `${AGENT_MODES.join('|')}`, 'agent')
    .option(
      '--profile <profile>',
      `${COMPAT_PROFILES.join('|')}: whose parsing/observation rules to follow`,
      'deepeyesv2',
    )
    .option(
      '--tool-format <format>',
      'deepeyesv2 (code + search) or deepeyes-v1 (image_zoom_in_tool / rotate)',
      'deepeyesv2',
    )
    .option('--max-turns <n>', 'model calls per trajectory (default 9; vlmevalkit profile 11)')
    .option('--max-tokens <n>', 'max_tokens per model call (default 8192)')
    .option('--max-total-tokens <n>', 'completion tokens per trajectory (default 16384)')
    .option('--time-limit <seconds>', 'wall-clock limit per trajectory (default 600)')
    .option('--temperature <t>', 'sampling temperature')
    .option('--top-p <p>', 'nucleus sampling')
    .option('--seed <n>', 'sampling seed')
    .option(
      '--prefill-think',
      'pre-fill <think> after each observation (vLLM continue_final_message), as the RL rollout does',
    )
    .option('--code-repair <mode>', 'auto|upstream|off: how to repair model code indentation', 'auto')
    .option(
      '--code-output <view>',
      "reference|notebook: show the model what the DeepEyesV2 sandbox returned (default) or the kernel's own output",
      'reference',
    )
    .option('--code-timeout <seconds>', 'timeout of one code call (default 30)')
    .option('--system-prompt-file <file>', 'use this exact system prompt (e.g. the upstream text)')
    .option(
      '--user-template-file <file>',
      'use this user prompt template; {question} is replaced by the question',
    )
    .option('--min-pixels <n>', 'smart_resize min pixels of input images (default 3136)')
    .option('--max-pixels <n>', 'smart_resize max pixels of input images (default 12845056)')
    .option(
      '--search-index <file>',
      'offline text search index file (deepeyes index build; default: the bundled demo corpus)',
    )
    .option('--image-index <file>', 'offline image index file (default: the bundled demo image set)')
    .option(
      '--search-provider <name>',
      'text search: local|serper|serpapi|brave|searxng|none (default local)',
    )
    .option('--image-search-provider <name>', 'image search: local|cache|serper|serpapi (default local)')
    .option(
      '--image-search-region',
      'let image_search take a bbox_2d region and search with that crop (beyond the paper)',
    )
    .option(
      '--image-search-cache-file <file>',
      'DeepEyesV2/MMSearch-R1 image-search cache JSON to replay (implies --image-search-provider cache)',
    )
    .option('--search-cache <file>', 'SQLite cache for search results')
    .option('--search-cache-mode <mode>', 'record|replay|off', 'record')
    .option('--unsafe-no-isolation', 'run the sandbox without bubblewrap (only where bwrap is unavailable)')
    .option(
      '--sandbox-url <url>',
      'run code on a `deepeyes sandbox serve` at this address instead of local kernels (token: $DEEPEYES_SANDBOX_TOKEN)',
    );
}

const optionalNumber = z.coerce.number().optional();
const optionalInt = z.coerce.number().int().optional();

export const agentFlagsSchema = z.object({
  model: z.string().optional(),
  modelName: z.string().optional(),
  apiKey: z.string().optional(),
  modelTimeout: z.coerce.number().positive().optional(),
  modelDiscoveryTimeout: z.coerce.number().positive().optional(),
  replay: z.string().optional(),
  mode: z.enum(AGENT_MODES),
  profile: z.enum(COMPAT_PROFILES),
  toolFormat: z.enum(TOOL_FORMATS).default('deepeyesv2'),
  maxTurns: optionalInt,
  maxTokens: optionalInt,
  maxTotalTokens: optionalInt,
  timeLimit: optionalNumber,
  temperature: optionalNumber,
  topP: optionalNumber,
  seed: optionalInt,
  prefillThink: z.boolean().optional(),
  codeRepair: z.enum(CODE_REPAIR_MODES),
  codeOutput: z.enum(CODE_OUTPUT_STYLES).optional(),
  codeTimeout: optionalNumber,
  systemPromptFile: z.string().optional(),
  userTemplateFile: z.string().optional(),
  minPixels: optionalInt,
  maxPixels: optionalInt,
  searchIndex: z.string().optional(),
  imageIndex: z.string().optional(),
  searchProvider: z.string().optional(),
  imageSearchProvider: z.string().optional(),
  imageSearchRegion: z.boolean().optional(),
  imageSearchCacheFile: z.string().optional(),
  searchCache: z.string().optional(),
  searchCacheMode: z.enum(CACHE_MODES),
  unsafeNoIsolation: z.boolean().optional(),
  sandboxUrl: z
    .url({ protocol: /^https?$/, error: 'a sandbox server address, e.g. http://127.0.0.1:8080' })
    .optional(),
});

export type AgentFlags = z.infer<typeof agentFlagsSchema>;
