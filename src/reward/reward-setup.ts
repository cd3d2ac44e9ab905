import type { ChatModel } from '../model/chat-model.js';
import { OpenAIChatModel } from '../model/openai-chat-model.js';
import { createLocalSandbox } from '../sandbox/kernel-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { createRewardScorer, type RewardScorer } from './compute-reward.js';
import { type JudgeCache, openJudgeCache } from './judge/judge-cache.js';
import { DEFAULT_PROMPTS, type JudgePrompt } from './judge/judge-prompts.js';
import { LlmJudge, type Sampling } from './judge/llm-judge.js';
import { loadJudgePrompt } from './judge/load-judge-prompt.js';
import type { RewardProfile } from './reward-result.js';
import { createSympyEquivalence, type SymbolicEquivalence } from './verifiers/sympy-equivalence.js';

/** Everything a command or server needs to build a scorer; see `deepeyes reward --help` for each. */
export type RewardSetupConfig = {
  profile: RewardProfile;
  /** OpenAI-compatible judge servers; none means rule verifiers only. */
  judgeUrls?: string[];
  judgeModel?: string;
  judgeApiKey?: string;
  judgePromptFile?: string;
  judgeUserTemplateFile?: string;
  mathJudgePromptFile?: string;
  judgeCachePath?: string;
  judgeTemperature?: number;
  judgeSeed?: number | 'random';
  judgeMaxTokens?: number;
  /** Per judge call, in ms. */
  judgeTimeoutMs?: number;
  judgeMaxAttempts?: number;
  judgeConcurrency?: number;
  /** Decide symbolic math answers with sympy in a sandbox session (started on first need). */
  sympy: boolean;
  /** Run that sandbox without bubblewrap (only where bwrap is unavailable). */
  unsafeNoIsolation?: boolean;
};

export type RewardSetup = {
  scorer: RewardScorer;
  /** The judge model's name, or undefined when rules decide. */
  judgeName: string | undefined;
  cache: JudgeCache | undefined;
  close(): Promise<void>;
};

export type RewardSetupDeps = {
  /** Builds the chat model for the judge servers (tests pass a fake). */
  createJudgeModel?: (config: RewardSetupConfig) => ChatModel & { resolveModel?(): Promise<string> };
  createSandbox?: () => Promise<Sandbox>;
};

/** A Sandbox that starts the real one only when a session is first asked for. */
function lazySandbox(start: () => Promise<Sandbox>): Sandbox {
  let started: Promise<Sandbox> | undefined;
  return {
    async openSession(options) {
      started ??= start();
      return (await started).openSession(options);
    },
    async close() {
      if (started) await (await started.catch(() => undefined))?.close();
    },
  };
}

async function loadPrompts(config: RewardSetupConfig): Promise<Record<'semantic' | 'math', JudgePrompt>> {
  const semantic = config.judgePromptFile
    ? await loadJudgePrompt(
        {
          promptFile: config.judgePromptFile,
          ...(config.judgeUserTemplateFile ? { userTemplateFile: config.judgeUserTemplateFile } : {}),
        },
        'system-and-user',
        DEFAULT_PROMPTS.semantic.user,
      )
    : DEFAULT_PROMPTS.semantic;
  const math = config.mathJudgePromptFile
    ? await loadJudgePrompt(
        { promptFile: config.mathJudgePromptFile },
        'user-only',
        DEFAULT_PROMPTS.math.user,
      )
    : DEFAULT_PROMPTS.math;
  return { semantic, math };
}

/** Builds the scorer: judge (if configured) with prompts and cache, and the sympy sandbox (if wanted). */
export async function openRewardSetup(
  config: RewardSetupConfig,
  deps: RewardSetupDeps = {},
): Promise<RewardSetup> {
  let symbolic: SymbolicEquivalence | undefined;
  let sandbox: Sandbox | undefined;
  if (config.sympy) {
    sandbox = lazySandbox(
      deps.createSandbox ?? (() => createLocalSandbox({ poolSize: 0, isolation: !config.unsafeNoIsolation })),
    );
    symbolic = createSympyEquivalence(sandbox);
  }
  const rules = symbolic ? { symbolic } : {};
  let judge: LlmJudge | undefined;
  let cache: JudgeCache | undefined;
  if (config.judgeUrls && config.judgeUrls.length > 0) {
    const model = deps.createJudgeModel
      ? deps.createJudgeModel(config)
      : new OpenAIChatModel({
          baseUrls: config.judgeUrls,
          ...(config.judgeModel ? { model: config.judgeModel } : {}),
          ...(config.judgeApiKey !== undefined ? { apiKey: config.judgeApiKey } : {}),
          timeoutMs: config.judgeTimeoutMs ?? 120_000,
        });
    // The model name is part of the cache key, so ask the server now, as upstream does at import.
    const modelName = config.judgeModel ?? (model.resolveModel ? await model.resolveModel() : model.name);
    cache = config.judgeCachePath ? openJudgeCache(config.judgeCachePath) : undefined;
    const sampling: Sampling = {
      ...(config.judgeTemperature === undefined ? {} : { temperature: config.judgeTemperature }),
      ...(config.judgeSeed === undefined ? {} : { seed: config.judgeSeed }),
      ...(config.judgeMaxTokens === undefined ? {} : { maxTokens: config.judgeMaxTokens }),
    };
    judge = new LlmJudge({
      models: [model],
      modelName,
      prompts: await loadPrompts(config),
      parsing: config.profile === 'upstream-rl' ? 'upstream' : 'strict',
      sampling: { semantic: sampling, math: sampling },
      ...(config.judgeMaxAttempts === undefined ? {} : { maxAttempts: config.judgeMaxAttempts }),
      ...(config.judgeTimeoutMs === undefined ? {} : { timeoutMs: config.judgeTimeoutMs }),
      ...(config.judgeConcurrency === undefined ? {} : { maxConcurrent: config.judgeConcurrency }),
      ...(cache ? { cache } : {}),
    });
  }
  const scorer = createRewardScorer({ profile: config.profile, rules, ...(judge ? { judge } : {}) });
  return {
    scorer,
    judgeName: judge?.name,
    cache,
    async close() {
      await symbolic?.close();
      await sandbox?.close();
      cache?.close();
    },
  };
}
