import { readFile } from 'node:fs/promises';
import type { AgentOptionsInput } from '../agent/agent-options.js';
import type { AgentDependencies } from '../agent/run-agent.js';
import { UserError } from '../errors.js';
import type { ChatModel } from '../model/chat-model.js';
import { OpenAIChatModel } from '../model/openai-chat-model.js';
import { ReplayChatModel } from '../model/replay-chat-model.js';
import { repairCodeUpstream } from '../protocol/code-repair.js';
import { loadPromptFiles } from '../protocol/prompt-template.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { SearchToolsConfig } from '../search/create-search-tools.js';
import type { AgentFlags } from './commands/run-options.js';
import type { CliIO } from './io.js';

/** Turns command-line flags into agent options; reads the prompt files when given. */
export async function agentOptionsFromFlags(flags: AgentFlags): Promise<AgentOptionsInput> {
  const prompts = await loadPromptFiles(
    { systemPromptFile: flags.systemPromptFile, userTemplateFile: flags.userTemplateFile },
    (path) => readFile(path, 'utf8'),
  );
  const seconds = (value: number | undefined) => (value === undefined ? undefined : Math.round(value * 1000));
  return dropUndefined({
    mode: flags.mode,
    profile: flags.profile,
    toolFormat: flags.toolFormat,
    imageSearchRegion: flags.imageSearchRegion,
    maxTurns: flags.maxTurns,
    maxTokensPerTurn: flags.maxTokens,
    maxTotalTokens: flags.maxTotalTokens,
    timeLimitMs: seconds(flags.timeLimit),
    temperature: flags.temperature,
    topP: flags.topP,
    seed: flags.seed,
    prefillThink: flags.prefillThink,
    codeRepair: flags.codeRepair,
    codeOutput: flags.codeOutput,
    codeTimeoutMs: seconds(flags.codeTimeout),
    systemPrompt: prompts.systemPrompt,
    userTemplate: prompts.userTemplate,
    minPixels: flags.minPixels,
    maxPixels: flags.maxPixels,
  });
}

export type AgentSetup = {
  dependencies: AgentDependencies;
  /** One line per component, for the run header (which model, which sandbox, which search). */
  describe: string[];
  close(): Promise<void>;
};

export async function createChatModel(
  flags: Pick<
    AgentFlags,
    'model' | 'modelName' | 'apiKey' | 'replay' | 'modelTimeout' | 'modelDiscoveryTimeout'
  >,
  onWait?: (message: string) => void,
): Promise<ChatModel> {
  if (flags.replay && flags.model) {
    throw new UserError('model-choice', 'give either --model or --replay, not both');
  }
  if (flags.replay) return ReplayChatModel.fromFile(flags.replay);
  if (flags.model) {
    const model = new OpenAIChatModel({
      baseUrls: flags.model
        .split(',')
        .map((url) => url.trim())
        .filter(Boolean),
      ...(flags.modelName ? { model: flags.modelName } : {}),
      ...(flags.apiKey ? { apiKey: flags.apiKey } : {}),
      ...(flags.modelTimeout ? { timeoutMs: Math.round(flags.modelTimeout * 1000) } : {}),
      ...(flags.modelDiscoveryTimeout
        ? { discoveryTimeoutMs: Math.round(flags.modelDiscoveryTimeout * 1000) }
        : {}),
      ...(onWait ? { onWait } : {}),
    });
    // Ask the server now, so a wrong name or a dead server fails before the first item, not inside it.
    await model.resolveModel();
    return model;
  }
  throw new UserError('model-missing', 'no model given', {
    hint: 'pass --model http://localhost:8000/v1 (a vLLM/SGLang/Ollama server) or --replay FILE (recorded turns)',
  });
}

/** Search tool settings from flags; with none, the offline index and image index of the bundled demo. */
export function searchConfigFromFlags(flags: AgentFlags): SearchToolsConfig {
  return {
    text: (flags.searchProvider ?? 'local') as SearchToolsConfig['text'],
    image: (flags.imageSearchProvider ??
      (flags.imageSearchCacheFile ? 'cache' : 'local')) as SearchToolsConfig['image'],
    ...(flags.searchIndex ? { textIndexPath: flags.searchIndex } : {}),
    ...(flags.imageIndex ? { imageIndexPath: flags.imageIndex } : {}),
    ...(flags.imageSearchCacheFile ? { imageCacheFiles: [flags.imageSearchCacheFile] } : {}),
    cache: { mode: flags.searchCacheMode, ...(flags.searchCache ? { path: flags.searchCache } : {}) },
  };
}

/**
 * The sandbox a command runs code in: a `deepeyes sandbox serve` at `sandboxUrl` (its token from
 * DEEPEYES_SANDBOX_TOKEN), else local kernels sized for `concurrency` sessions at once.
 */
export async function openSandbox(
  options: { sandboxUrl?: string | undefined; unsafeNoIsolation?: boolean | undefined; concurrency: number },
  io: CliIO,
): Promise<{ sandbox: Sandbox; description: string }> {
  if (options.sandboxUrl) {
    const { HttpSandbox } = await import('../sandbox/http-sandbox.js');
    const token = process.env.DEEPEYES_SANDBOX_TOKEN;
    return {
      sandbox: new HttpSandbox({ baseUrl: options.sandboxUrl, ...(token ? { token } : {}) }),
      description: `sandbox: deepeyes sandbox serve at ${options.sandboxUrl}`,
    };
  }
  // Loaded only when code runs (its kernel client pulls in ZeroMQ): a direct-mode evaluation starts without it.
  const { createLocalSandbox } = await import('../sandbox/kernel-sandbox.js');
  const sandbox = await createLocalSandbox(
    {
      isolation: !options.unsafeNoIsolation,
      poolSize: Math.min(options.concurrency, 8),
      maxSessions: Math.max(64, options.concurrency),
    },
    (line) => io.err(`sandbox: ${line}\n`),
  );
  const isolation = options.unsafeNoIsolation ? ' WITHOUT isolation' : ' under bubblewrap';
  return { sandbox, description: `sandbox: local IPython kernels${isolation}` };
}

export type SetupOptions = {
  /** Sessions that will run at once (eval --concurrency): sizes the warm pool and the session limit. */
  concurrency?: number;
};

/** Builds the model, sandbox, search tools and code formatter a run needs, and one `close` for all. */
export async function openAgentDependencies(
  flags: AgentFlags,
  io: CliIO,
  setupOptions: SetupOptions = {},
): Promise<AgentSetup> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
  };
  try {
    const model = await createChatModel(flags, (message) => io.err(`${message}\n`));
    const describe = [
      `model: ${model.name}${model.name.startsWith('replay:') ? ' (recorded turns, not a live model)' : ''}`,
    ];
    const dependencies: AgentDependencies = { model };
    if ((flags.mode === 'agent' || flags.mode === 'code') && flags.toolFormat !== 'deepeyes-v1') {
      const { sandbox, description } = await openSandbox(
        { ...flags, concurrency: setupOptions.concurrency ?? 1 },
        io,
      );
      describe.push(description);
      closers.push(() => sandbox.close());
      dependencies.sandbox = sandbox;
    }
    if (flags.mode === 'agent' && flags.toolFormat !== 'deepeyes-v1') {
      const { createSearchTools } = await import('../search/create-search-tools.js');
      const search = await createSearchTools(searchConfigFromFlags(flags));
      closers.push(async () => search.close());
      dependencies.search = search.text;
      dependencies.imageSearch = search.image;
      describe.push(...search.describe().split('\n'));
    }
    if (flags.codeRepair === 'upstream') {
      const { Autopep8Formatter } = await import('../sandbox/autopep8.js');
      const formatter = new Autopep8Formatter();
      closers.push(async () => formatter.close());
      dependencies.upstreamRepair = (code) => repairCodeUpstream(code, formatter.fixCode);
    }
    return { dependencies, describe, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function dropUndefined<T extends Record<string, unknown>>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
