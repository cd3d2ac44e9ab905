import type { ChatModel, ChatRequest } from '../../model/chat-model.js';
import type { ChatMessage } from '../../protocol/chat-message.js';
import { pythonStrip } from '../../protocol/python-text.js';
import { limitConcurrency } from '../limit-concurrency.js';
import type { Judge, JudgeItem, JudgeResult, JudgeStyle } from './judge.js';
import type { JudgeCache } from './judge-cache.js';
import { DEFAULT_PROMPTS, type JudgePrompt, renderTemplate } from './judge-prompts.js';
import {
  type ParsedVerdict,
  parseMathVerdict,
  parseMathVerdictUpstream,
  parseSemanticVerdict,
  parseSemanticVerdictUpstream,
  parseValidationVerdictUpstream,
} from './parse-verdict.js';

export type Sampling = {
  temperature?: number;
  maxTokens?: number;
  /** A fixed seed, or `random` for a fresh one in [0, 1 000 000] per call, as upstream sends. */
  seed?: number | 'random';
};

export type LlmJudgeOptions = {
  /** One chat model per judge endpoint; calls rotate over them. */
  models: readonly ChatModel[];
  /** Judge model name: reported and part of the cache key. Default: the first model's name. */
  modelName?: string;
  prompts?: Partial<Record<JudgeStyle, JudgePrompt>>;
  /** `strict` (deepeyesv2): exact, case-insensitive, retried when unreadable; `upstream`: upstream's reading. */
  parsing?: 'strict' | 'upstream';
  sampling?: Partial<Record<JudgeStyle, Sampling>>;
  /** Model calls per item before the verdict is reported unknown (strict parsing). Default 3. */
  maxAttempts?: number;
  /** Budget for one model call, in ms. Default 60 000. */
  timeoutMs?: number;
  /** Judge calls in flight at once, over all endpoints. Default 16. */
  maxConcurrent?: number;
  cache?: JudgeCache;
  /** Source of randomness for `seed: 'random'` (tests pass a fixed one). */
  random?: () => number;
};

/** Upstream's settings (temperature 0.3 and 8192 tokens for Yes/No, 0.5 for math, random seeds). */
export const UPSTREAM_SAMPLING: Readonly<Record<JudgeStyle, Sampling>> = {
  semantic: { temperature: 0.3, maxTokens: 8192, seed: 'random' },
  math: { temperature: 0.5, seed: 'random' },
};

/** deepeyes' defaults: the same budgets, but temperature 0 and a fixed seed, so verdicts repeat and cache. */
export const DETERMINISTIC_SAMPLING: Readonly<Record<JudgeStyle, Sampling>> = {
  semantic: { temperature: 0, maxTokens: 8192, seed: 0 },
  math: { temperature: 0, seed: 0 },
};

const UPSTREAM_VALIDATION_CALLS = 32;
const UPSTREAM_MATH_CALLS = 8;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** An LLM judge over the ChatModel seam (any OpenAI-compatible server through the model layer). */
export class LlmJudge implements Judge {
  readonly name: string;
  private readonly prompts: Record<JudgeStyle, JudgePrompt>;
  private readonly sampling: Record<JudgeStyle, Sampling>;
  private readonly limit;
  private readonly random: () => number;
  private nextModel = 0;

  constructor(private readonly options: LlmJudgeOptions) {
    if (options.models.length === 0) throw new RangeError('LlmJudge needs at least one model');
    this.name = options.modelName ?? options.models[0]!.name;
    this.prompts = { ...DEFAULT_PROMPTS, ...options.prompts };
    const defaults = options.parsing === 'upstream' ? UPSTREAM_SAMPLING : DETERMINISTIC_SAMPLING;
    this.sampling = {
      semantic: { ...defaults.semantic, ...options.sampling?.semantic },
      math: { ...defaults.math, ...options.sampling?.math },
    };
    this.limit = limitConcurrency(options.maxConcurrent ?? 16);
    this.random = options.random ?? Math.random;
  }

  /** The request for one item, exactly as sent (the seed drawn fresh when it is `random`). */
  buildRequest(item: JudgeItem): ChatRequest {
    const prompt = this.prompts[item.style];
    const user = renderTemplate(prompt.user, item);
    const messages: ChatMessage[] =
      prompt.system === undefined
        ? [{ role: 'user', content: user }]
        : [
            { role: 'system', content: prompt.system },
            { role: 'user', content: user },
          ];
    return { messages, ...this.samplingFields(item.style) };
  }

  private samplingFields(style: JudgeStyle): Pick<ChatRequest, 'temperature' | 'maxTokens' | 'seed'> {
    const { temperature, maxTokens, seed } = this.sampling[style];
    return {
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxTokens === undefined ? {} : { maxTokens }),
      ...(seed === undefined
        ? {}
        : { seed: seed === 'random' ? Math.floor(this.random() * 1_000_001) : seed }),
    };
  }

  private async call(request: ChatRequest, signal?: AbortSignal): Promise<string> {
    const model = this.options.models[this.nextModel++ % this.options.models.length]!;
    const timeout = AbortSignal.timeout(this.options.timeoutMs ?? 60_000);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    // Raced as well as passed down, so a model that ignores its signal cannot hang the judge.
    const aborted = new Promise<never>((_resolve, reject) => {
      combined.addEventListener('abort', () => reject(combined.reason), { once: true });
    });
    aborted.catch(() => undefined);
    const reply = await Promise.race([model.complete(request, combined), aborted]);
    return pythonStrip(reply.text);
  }

  private base(item: JudgeItem): Pick<JudgeResult, 'model' | 'promptVersion'> {
    return { model: this.name, promptVersion: this.prompts[item.style].version };
  }

  async judge(item: JudgeItem, signal?: AbortSignal): Promise<JudgeResult> {
    const key = {
      question: item.question,
      reference: item.reference,
      prediction: item.prediction ?? 'None',
      model: this.name,
      promptVersion: this.prompts[item.style].version,
    };
    const hit = this.options.cache?.get(key);
    if (hit) return { ...this.base(item), ...hit, replies: [hit.reply], attempts: 0, cached: true };
    const result = await this.limit.run(() =>
      this.options.parsing === 'upstream' ? this.judgeUpstream(item, signal) : this.judgeStrict(item, signal),
    );
    if (result.verdict !== 'unknown') {
      this.options.cache?.set(key, {
        verdict: result.verdict,
        parsed: result.parsed,
        reply: result.replies.at(-1)!,
      });
    }
    return result;
  }

  /** Asks again while the reply is unreadable or the call fails, up to maxAttempts; then unknown. */
  private async judgeStrict(item: JudgeItem, signal?: AbortSignal): Promise<JudgeResult> {
    const parse = item.style === 'math' ? parseMathVerdict : parseSemanticVerdict;
    const replies: string[] = [];
    let last: ParsedVerdict = { verdict: 'unknown', parsed: null };
    let error: string | undefined;
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      signal?.throwIfAborted();
      try {
        const reply = await this.call(this.buildRequest(item), signal);
        replies.push(reply);
        last = parse(reply);
        error = undefined;
        if (last.verdict !== 'unknown') {
          return { ...this.base(item), ...last, replies, attempts: attempt, cached: false };
        }
      } catch (cause) {
        signal?.throwIfAborted();
        error = errorText(cause);
      }
    }
    return {
      ...this.base(item),
      ...last,
      replies,
      attempts: maxAttempts,
      cached: false,
      ...(error === undefined ? {} : { error }),
    };
  }

  /**
   * Upstream exactly: one call for Yes/No (a failed call is an error, as it crashed upstream), up to
   * eight calls for math but only while calls fail.
   */
  private async judgeUpstream(item: JudgeItem, signal?: AbortSignal): Promise<JudgeResult> {
    const request = () => this.buildRequest(item);
    if (item.style === 'semantic') {
      const reply = await this.call(request(), signal);
      return {
        ...this.base(item),
        ...parseSemanticVerdictUpstream(reply),
        replies: [reply],
        attempts: 1,
        cached: false,
      };
    }
    let reply = '';
    let attempts = 0;
    let error: string | undefined;
    for (; attempts < UPSTREAM_MATH_CALLS; ) {
      attempts++;
      try {
        reply = await this.call(request(), signal);
        error = undefined;
        break;
      } catch (cause) {
        signal?.throwIfAborted();
        error = errorText(cause);
      }
    }
    return {
      ...this.base(item),
      ...parseMathVerdictUpstream(reply),
      replies: error === undefined ? [reply] : [],
      attempts,
      cached: false,
      ...(error === undefined ? {} : { error }),
    };
  }

  /**
   * Upstream's `compute_score_acc` (bug 31): the semantic prompt's system and user texts sent together
   * as one user message (upstream passes a Python tuple; here two text parts), temperature 0.5, and up
   * to 32 calls until a reply reads as "Judgement: 1/0" or exactly "1"/"0".
   */
  async judgeUpstreamValidation(item: JudgeItem, signal?: AbortSignal): Promise<JudgeResult> {
    const prompt = this.prompts.semantic;
    const parts = [prompt.system ?? '', renderTemplate(prompt.user, item)].map((text) => ({
      type: 'text' as const,
      text,
    }));
    const replies: string[] = [];
    return this.limit.run(async () => {
      for (let attempt = 1; attempt <= UPSTREAM_VALIDATION_CALLS; attempt++) {
        const request: ChatRequest = {
          messages: [{ role: 'user', content: parts }],
          temperature: 0.5,
          seed: Math.floor(this.random() * 1_000_001),
        };
        const reply = await this.call(request, signal);
        replies.push(reply);
        const parsed = parseValidationVerdictUpstream(reply);
        if (parsed.verdict !== 'unknown') {
          return { ...this.base(item), ...parsed, replies, attempts: attempt, cached: false };
        }
      }
      // Upstream gives up silently with acc 0; the verdict says it was never read.
      return {
        ...this.base(item),
        verdict: 'unknown' as const,
        parsed: null,
        replies,
        attempts: UPSTREAM_VALIDATION_CALLS,
        cached: false,
      };
    });
  }
}
