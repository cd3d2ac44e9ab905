import { randomUUID } from 'node:crypto';
import { agentOptionsSchema } from '../agent/agent-options.js';
import { type ToolDependencies, type ToolOutcome, ToolRunner } from '../agent/tool-runner.js';
import type { ToolCallRecord } from '../agent/trajectory.js';
import { DeepeyesError, InputFormatError } from '../errors.js';
import { openImage, prepareModelImage, renderImage } from '../image/index.js';
import { type ToolSet, toolSetForMode } from '../protocol/action.js';
import { toChatContent, toRawContextAppend } from '../protocol/chat-content.js';
import type { ChatMessage, ContentPart, ModelImage } from '../protocol/chat-message.js';
import { parseTurn } from '../protocol/parse-turn.js';
import { buildPrompt, stopSequences } from '../protocol/prompts.js';
import { renderSandboxErrorObservation } from '../protocol/render-observation.js';
import type { RewardScorer } from '../reward/compute-reward.js';
import type { RewardResult } from '../reward/reward-result.js';
import type { Sandbox, SandboxSession } from '../sandbox/sandbox.js';
import type { ImageSearchProvider, SearchProvider } from '../search/search-provider.js';
import { renderQwenPrompt } from './chat-template.js';
import type { CreateEpisodeRequest, EnvProfile, FinishRequest, StepRequest } from './episode-spec.js';

const THINK_PREFIX = '<think>';
const USER_TURN_START = '<|im_end|>\n<|im_start|>user\n';
const ASSISTANT_TURN_START = '<|im_end|>\n<|im_start|>assistant\n<think>';
const TURN_END = '<|im_end|>';

/** A search tool set the server was started with, chosen per episode by name. */
export type SearchTools = { text?: SearchProvider; image?: ImageSearchProvider };

export type EpisodeDependencies = {
  sandbox?: Sandbox;
  /** Search tool sets by name; `defaultSearch` names the one an episode gets when it asks for none. */
  searchTools: Record<string, SearchTools>;
  defaultSearch?: string;
  upstreamRepair?: ToolDependencies['upstreamRepair'];
  /** The reward scorer of each profile; finish answers 503 for a profile without one. */
  scorers: Partial<Record<EnvProfile, RewardScorer>>;
  now?: () => number;
};

/** An error about an episode request; `status` is the HTTP status the server answers. */
export class EpisodeError extends DeepeyesError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** An image of the wire: PNG (or the JPEG an image search returned) as base64 with its size. */
export type WireImage = { mime_type: string; width: number; height: number; data: string };
/** A chat content part of the wire: text, or the index of an image in the accompanying list. */
export type WirePart = { type: 'text'; text: string } | { type: 'image'; image_index: number };
export type WireMessage = { role: string; content: string | WirePart[] };

export type EpisodePrompt = {
  messages: WireMessage[];
  /** Qwen2.5-VL chat-template text of the prompt, generation prompt included. */
  raw: string;
  images: WireImage[];
  /** What to send the model server with: stop strings (kept in the output), bad words, per-turn cap. */
  sampling: { stop: string[]; include_stop_str_in_output: true; bad_words: string[]; max_tokens: number };
};

export type StepObservation = {
  /** The user turn's text with one `<image>` per image. */
  text: string;
  content: WirePart[];
  /** What the RL rollout appends to the context: `<|im_end|>\n<|im_start|>user\n…<|im_start|>assistant\n<think>`. */
  raw: string;
  /** The same with `<image>` placeholders: what the DeepEyesV2 fork's env returns as `prompt`. */
  prompt: string;
  images: WireImage[];
};

export type StepResult = {
  episode_id: string;
  turn: number;
  action: string;
  done: boolean;
  /** Why the episode ended: answer, max-turns, length, a parse end reason, tool-error, sandbox-error. */
  done_reason: string | null;
  answer: string | null;
  observation: StepObservation | null;
  tool: ToolCallRecord | null;
  /** In ms; `overhead_ms` is everything but the sandbox call and the search. */
  timings: { total_ms: number; sandbox_ms: number; search_ms: number; overhead_ms: number };
  error: string | null;
};

export type EpisodeSummary = {
  episode_id: string;
  profile: EnvProfile;
  turns: number;
  done: boolean;
  done_reason: string | null;
  answer: string | null;
};

/** verl's bad words for the DeepEyesV2 rollout: never generate these. */
export const ROLLOUT_BAD_WORDS = ['<|endoftext|>', '<size>', '<|im_start|>'];

/** Tokens per model turn in the released run (`single_response_max_tokens`). */
export const TURN_MAX_TOKENS = 8192;

function decodeImage(value: string, index: number): Uint8Array {
  const base64 = value.startsWith('data:') ? value.slice(value.indexOf(',') + 1) : value;
  const bytes = Buffer.from(base64, 'base64');
  if (bytes.length === 0)
    throw new InputFormatError('image-unreadable', `images[${index}] is not base64 image data`);
  return new Uint8Array(bytes);
}

async function toWireImage(image: ModelImage): Promise<WireImage> {
  // The contract is PNG; an image search may return JPEG, re-encoded losslessly from its pixels.
  const bytes =
    image.mimeType === 'image/png' ? image.bytes : (await renderImage(openImage(image.bytes).png())).bytes;
  return {
    mime_type: 'image/png',
    width: image.width,
    height: image.height,
    data: Buffer.from(bytes).toString('base64'),
  };
}

function toWireParts(parts: ContentPart[], firstIndex: number): WirePart[] {
  let next = firstIndex;
  return parts.map((part) =>
    part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image', image_index: next++ },
  );
}

/** Times the sandbox calls and searches of one episode, so a step can report its own overhead. */
class ToolClock {
  sandboxMs = 0;
  searchMs = 0;
  constructor(private readonly now: () => number) {}

  async time<T>(kind: 'sandboxMs' | 'searchMs', work: () => Promise<T>): Promise<T> {
    const start = this.now();
    try {
      return await work();
    } finally {
      this[kind] += this.now() - start;
    }
  }

  sandbox(inner: Sandbox): Sandbox {
    return {
      openSession: async (options) => {
        const session = await this.time('sandboxMs', () => inner.openSession(options));
        const timed: SandboxSession = {
          id: session.id,
          execute: (code, executeOptions) =>
            this.time('sandboxMs', () => session.execute(code, executeOptions)),
          close: () => session.close(),
        };
        return timed;
      },
      close: () => inner.close(),
    };
  }

  text(inner: SearchProvider): SearchProvider {
    return {
      name: inner.name,
      search: (query, options) => this.time('searchMs', () => inner.search(query, options)),
    };
  }

  image(inner: ImageSearchProvider): ImageSearchProvider {
    return {
      name: inner.name,
      searchImage: (bytes, options) => this.time('searchMs', () => inner.searchImage(bytes, options)),
    };
  }
}

/**
 * One RL episode: the prompt, then one step per model turn (parse → tool → observation, through
 * the same protocol functions and tool runner as the agent loop), then the reward. Owns one sandbox
 * session, opened at the first code call and closed with the episode.
 */
export class Episode {
  readonly id: string;
  lastActiveAt: number;
  private turns = 0;
  private done = false;
  private doneReason: string | null = null;
  private answer: string | null = null;
  private busy = false;
  /** The decoded response so far: turn texts and the context appended after each. */
  private readonly response: string[] = [];
  private lastWasTurn = false;
  private imageCount: number;

  private constructor(
    private readonly request: CreateEpisodeRequest,
    private readonly runner: ToolRunner,
    private readonly clock: ToolClock,
    private readonly tools: ToolSet,
    private readonly dependencies: EpisodeDependencies,
    private readonly now: () => number,
    inputImageCount: number,
  ) {
    this.id = randomUUID();
    this.lastActiveAt = now();
    this.imageCount = inputImageCount;
  }

  static async create(
    request: CreateEpisodeRequest,
    dependencies: EpisodeDependencies,
  ): Promise<{ episode: Episode; prompt: EpisodePrompt }> {
    const now = dependencies.now ?? (() => performance.now());
    const profile = request.profile;
    const options = request.options;
    const searchName = options.search_provider ?? dependencies.defaultSearch;
    const search =
      searchName === undefined || searchName === 'none' ? {} : dependencies.searchTools[searchName];
    if (search === undefined) {
      throw new EpisodeError(
        400,
        'unknown-search-provider',
        `options.search_provider "${searchName}" is not configured`,
        {
          hint: `Use one of: none, ${Object.keys(dependencies.searchTools).join(', ') || '(none configured)'}`,
        },
      );
    }
    const agentOptions = agentOptionsSchema.parse({
      mode: options.mode,
      profile,
      maxTurns: options.max_turns,
      codeTimeoutMs: options.code_timeout_ms,
      codeRepair: profile === 'upstream-rl' ? 'upstream' : (options.code_repair ?? 'auto'),
    });
    if (agentOptions.codeRepair === 'upstream' && !dependencies.upstreamRepair) {
      throw new EpisodeError(
        503,
        'code-repair-unavailable',
        'this server cannot repair code the upstream way (no autopep8 runner)',
      );
    }
    const images: ModelImage[] = [];
    for (const [index, value] of request.images.entries()) {
      const bytes = decodeImage(value, index);
      try {
        images.push(
          await prepareModelImage(bytes, {
            id: `input-${index + 1}`,
            minPixels: agentOptions.minPixels,
            maxPixels: agentOptions.maxPixels,
            profile,
          }),
        );
      } catch (error) {
        throw new InputFormatError(
          'image-unreadable',
          `images[${index}] is not an image (${(error as Error).message})`,
        );
      }
    }
    const clock = new ToolClock(now);
    const tools = toolSetForMode(options.mode);
    const runner = new ToolRunner(
      {
        ...(dependencies.sandbox ? { sandbox: clock.sandbox(dependencies.sandbox) } : {}),
        ...(search.text && tools.search ? { search: clock.text(search.text) } : {}),
        ...(search.image && tools.imageSearch ? { imageSearch: clock.image(search.image) } : {}),
        ...(dependencies.upstreamRepair ? { upstreamRepair: dependencies.upstreamRepair } : {}),
      },
      agentOptions,
      images,
      request.extra_info?.index === undefined ? undefined : String(request.extra_info.index),
    );
    const built = buildPrompt({ mode: options.mode, question: request.question, imageCount: images.length });
    const messages: ChatMessage[] = [];
    if (built.system) messages.push({ role: 'system', content: built.system });
    messages.push({
      role: 'user',
      content: [
        ...images.map((image) => ({ type: 'image' as const, image })),
        { type: 'text', text: built.user },
      ],
    });
    const episode = new Episode(request, runner, clock, tools, dependencies, now, images.length);
    const prompt: EpisodePrompt = {
      messages: messages.map((message) => ({
        role: message.role,
        content: typeof message.content === 'string' ? message.content : toWireParts(message.content, 0),
      })),
      raw: renderQwenPrompt(messages),
      images: await Promise.all(images.map(toWireImage)),
      sampling: {
        stop: stopSequences(profile),
        include_stop_str_in_output: true,
        bad_words: ROLLOUT_BAD_WORDS,
        max_tokens: TURN_MAX_TOKENS,
      },
    };
    return { episode, prompt };
  }

  get profile(): EnvProfile {
    return this.request.profile;
  }

  get isDone(): boolean {
    return this.done;
  }

  /** A step is running (it may be waiting for a kernel): the episode is not idle. */
  get isBusy(): boolean {
    return this.busy;
  }

  summary(): EpisodeSummary {
    return {
      episode_id: this.id,
      profile: this.profile,
      turns: this.turns,
      done: this.done,
      done_reason: this.doneReason,
      answer: this.answer,
    };
  }

  async step(input: StepRequest): Promise<StepResult> {
    if (this.done) {
      throw new EpisodeError(
        409,
        'episode-done',
        `episode ${this.id} is done (${this.doneReason}); no more steps`,
        {
          hint: 'POST /episodes/{id}/finish for the reward, or DELETE it.',
        },
      );
    }
    if (this.busy)
      throw new EpisodeError(409, 'step-in-progress', `episode ${this.id} is still running a step`);
    this.busy = true;
    const start = this.now();
    this.lastActiveAt = start;
    const clockStart = { sandbox: this.clock.sandboxMs, search: this.clock.searchMs };
    const turn = this.turns;
    this.turns += 1;
    this.response.push(input.text);
    this.lastWasTurn = true;
    let result: Omit<StepResult, 'timings' | 'episode_id' | 'turn'>;
    try {
      result = await this.decide(input, turn);
    } finally {
      this.busy = false;
      this.lastActiveAt = this.now();
    }
    if (result.done) {
      this.done = true;
      this.doneReason = result.done_reason;
      this.answer = result.answer;
      // The kernel is not needed any more; free it for other episodes before finish arrives.
      await this.runner.close().catch(() => undefined);
    } else if (result.observation) {
      this.response.push(result.observation.raw);
      this.lastWasTurn = false;
    }
    const total = this.now() - start;
    const sandboxMs = this.clock.sandboxMs - clockStart.sandbox;
    const searchMs = this.clock.searchMs - clockStart.search;
    return {
      episode_id: this.id,
      turn,
      ...result,
      timings: {
        total_ms: total,
        sandbox_ms: sandboxMs,
        search_ms: searchMs,
        overhead_ms: total - sandboxMs - searchMs,
      },
    };
  }

  private async decide(
    input: StepRequest,
    turn: number,
  ): Promise<Omit<StepResult, 'timings' | 'episode_id' | 'turn'>> {
    const end = (action: string, reason: string, extra: Partial<StepResult> = {}) => ({
      action,
      done: true,
      done_reason: reason,
      answer: null,
      observation: null,
      tool: null,
      error: null,
      ...extra,
    });
    // The rollout ends a turn cut by the token limit, or an empty one, without running it.
    if (input.finish_reason !== 'stop') return end('length', 'length');
    if (input.text === '') return end('end', 'empty-turn');
    const profile = this.profile;
    const action = parseTurn(input.text, {
      profile,
      tools: this.tools,
      ...(this.request.extra_info?.index === undefined ? {} : { dataIndex: this.request.extra_info.index }),
    });
    if (action.kind === 'answer') return end('answer', 'answer', { answer: action.text });
    if (action.kind === 'end') return end('end', action.reason);
    if (action.kind === 'retry') return end('end', 'no-action');
    // The rollout's last turn: its tool result would never be shown, so nothing runs.
    if (turn >= this.request.options.max_turns - 1) return end(action.kind, 'max-turns');
    if (action.kind === 'tool-error') return this.observe(action.kind, action.observation, [], null, turn);
    let outcome: ToolOutcome;
    try {
      outcome = await this.runner.run(action, turn);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // upstream-rl: an unreachable sandbox ends the episode ("Code execution error", never shown).
      if (profile === 'upstream-rl') return end(action.kind, 'sandbox-error', { error: message });
      return this.observe(action.kind, renderSandboxErrorObservation(profile), [], null, turn, message);
    }
    if (outcome.endsEpisode) {
      return end(action.kind, 'tool-error', { tool: outcome.record, error: toolError(outcome.record) });
    }
    return this.observe(
      action.kind,
      outcome.observation,
      outcome.images,
      outcome.record,
      turn,
      toolError(outcome.record),
    );
  }

  private async observe(
    action: string,
    text: string,
    images: ModelImage[],
    tool: ToolCallRecord | null,
    _turn: number,
    error: string | null = null,
  ): Promise<Omit<StepResult, 'timings' | 'episode_id' | 'turn'>> {
    const content = toWireParts(toChatContent(text, images), 0);
    this.imageCount += images.length;
    return {
      action,
      done: false,
      done_reason: null,
      answer: null,
      observation: {
        text,
        content,
        raw: toRawContextAppend(text, images.length),
        prompt: `${USER_TURN_START}${text}${ASSISTANT_TURN_START}`,
        images: await Promise.all(images.map(toWireImage)),
      },
      tool,
      error,
    };
  }

  /** The decoded response as the trainer's reward sees it: turns, observations, the final `<|im_end|>`. */
  responseText(): string {
    const text = this.response.join('');
    return this.lastWasTurn && !text.endsWith(TURN_END) ? `${text}${TURN_END}` : text;
  }

  async finish(input: FinishRequest, signal?: AbortSignal): Promise<RewardResult> {
    const scorer = this.dependencies.scorers[this.profile];
    if (!scorer)
      throw new EpisodeError(503, 'reward-not-configured', `no reward scorer for profile ${this.profile}`);
    const groundTruth = input.ground_truth ?? this.request.ground_truth;
    const dataSource = input.data_source ?? this.request.data_source;
    if (groundTruth === undefined) {
      throw new EpisodeError(
        400,
        'ground-truth-missing',
        'this episode has no ground truth to score against',
        {
          hint: 'Pass "ground_truth" when creating the episode or in the finish request.',
        },
      );
    }
    if (dataSource === undefined) {
      throw new EpisodeError(
        400,
        'data-source-missing',
        'this episode has no data_source to choose the reward formula',
        {
          hint: 'Pass "data_source" (perception, reason, search, vstar-test, …) at creation or in the finish request.',
        },
      );
    }
    const question = this.request.extra_info?.question ?? this.request.question;
    this.lastActiveAt = this.now();
    return scorer.score(
      { trajectory: input.response ?? this.responseText(), groundTruth, dataSource, question },
      signal,
    );
  }

  /** Images attached so far (inputs included); the rollout caps what vLLM accepts per prompt. */
  get images(): number {
    return this.imageCount;
  }

  async close(): Promise<void> {
    this.done = true;
    await this.runner.close();
  }
}

function toolError(record: ToolCallRecord): string | null {
  return 'error' in record && typeof record.error === 'string' ? record.error : null;
}

export { THINK_PREFIX };
