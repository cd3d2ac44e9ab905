import { randomUUID } from 'node:crypto';
import { agentOptionsSchema } from '../agent/agent-options.js';
import type { LoopState, StepResult as LoopStep, StepInput } from '../agent/loop-state.js';
import { nextStep } from '../agent/next-step.js';
import { openLoop } from '../agent/open-loop.js';
import { type ToolDependencies, type ToolOutcome, ToolRunner } from '../agent/tool-runner.js';
import type { ToolCallRecord } from '../agent/trajectory.js';
import { DeepeyesError, InputFormatError } from '../errors.js';
import { prepareModelImage } from '../image/index.js';
import { toRawContextAppend } from '../protocol/chat-content.js';
import type { ModelImage } from '../protocol/chat-message.js';
import { stopSequences } from '../protocol/prompts.js';
import type { RewardScorer } from '../reward/compute-reward.js';
import type { RewardResult } from '../reward/reward-result.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import type { ImageSearchProvider, SearchProvider } from '../search/search-provider.js';
import { renderQwenPrompt } from './chat-template.js';
import {
  doneReason,
  lastObservation,
  modelTurnInput,
  toolError,
  unavailableToolOutcome,
} from './episode-outcome.js';
import type { CreateEpisodeRequest, EnvProfile, FinishRequest, StepRequest } from './episode-spec.js';
import {
  decodeImage,
  type EpisodePrompt,
  type EpisodeSummary,
  ROLLOUT_BAD_WORDS,
  type StepObservation,
  type StepResult,
  TURN_MAX_TOKENS,
  toWireImage,
  toWireParts,
} from './episode-wire.js';
import { ToolClock } from './tool-clock.js';

export {
  type EpisodePrompt,
  type EpisodeSummary,
  ROLLOUT_BAD_WORDS,
  type StepObservation,
  type StepResult,
  TURN_MAX_TOKENS,
  type WireImage,
  type WireMessage,
  type WirePart,
} from './episode-wire.js';

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

type StepOutcome = Omit<StepResult, 'timings' | 'episode_id' | 'turn'>;

/**
 * One RL episode, driven by the agent loop's own step function: the trainer's turn goes to
 * `nextStep`, which parses it and decides (answer, end, tool, error observation, budget); the
 * episode runs the tool it asks for and feeds the result back. What stays here is what only an
 * episode service does: the wire shapes, the timings, the response text for the reward, and the
 * rollout's rule that the last allowed turn runs nothing (its observation would never be shown).
 * Owns one sandbox session, opened at the first code call and closed when the episode is done.
 */
export class Episode {
  readonly id: string;
  lastActiveAt: number;
  private done = false;
  private doneReason: string | null = null;
  private busy = false;
  /** The decoded response so far: turn texts and the context appended after each. */
  private readonly response: string[] = [];
  private lastWasTurn = false;
  private imageCount: number;

  private constructor(
    private readonly request: CreateEpisodeRequest,
    private loop: LoopState,
    private readonly runner: ToolRunner,
    private readonly clock: ToolClock,
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
    const dataIndex = request.extra_info?.index;
    const opened = openLoop({
      runId: dataIndex === undefined ? randomUUID() : String(dataIndex),
      question: request.question,
      inputImages: images,
      options: agentOptions,
      ...(dataIndex === undefined ? {} : { dataIndex }),
    });
    const started = nextStep(opened, { type: 'start', elapsedMs: 0 });
    const tools = started.state.config.tools;
    const clock = new ToolClock(now);
    const runner = new ToolRunner(
      {
        ...(dependencies.sandbox ? { sandbox: clock.sandbox(dependencies.sandbox) } : {}),
        ...(search.text && tools.search ? { search: clock.text(search.text) } : {}),
        ...(search.image && tools.imageSearch ? { imageSearch: clock.image(search.image) } : {}),
        ...(dependencies.upstreamRepair ? { upstreamRepair: dependencies.upstreamRepair } : {}),
      },
      agentOptions,
      images,
      dataIndex === undefined ? undefined : String(dataIndex),
    );
    const messages = opened.messages;
    const episode = new Episode(request, started.state, runner, clock, dependencies, now, images.length);
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
      turns: this.loop.progress.modelCalls,
      done: this.done,
      done_reason: this.doneReason,
      answer: this.loop.answer,
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
    const turn = this.loop.progress.modelCalls;
    this.response.push(input.text);
    this.lastWasTurn = true;
    let result: StepOutcome;
    try {
      result = await this.advance(input);
    } finally {
      this.busy = false;
      this.lastActiveAt = this.now();
    }
    if (result.done) {
      this.done = true;
      this.doneReason = result.done_reason;
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

  /** Feeds the turn to the loop, runs the tool it asks for, feeds the result back. */
  private async advance(input: StepRequest): Promise<StepOutcome> {
    let decided = this.feed(modelTurnInput(input, this.loop.config.stop ?? []));
    if (decided.step.type !== 'run-tool') return this.outcome(decided, null, null);
    const { action, turn } = decided.step;
    // The rollout's last turn: its tool result would never be shown, so nothing runs.
    if (turn >= this.request.options.max_turns - 1) {
      return { ...ended(action.kind, 'max-turns'), answer: null };
    }
    let toolInput: StepInput;
    let tool: ToolCallRecord | null = null;
    let error: string | null = null;
    const startedMs = this.now();
    try {
      const outcome: ToolOutcome = await this.runner.run(action, turn);
      tool = outcome.record;
      error = toolError(outcome.record);
      toolInput = { type: 'tool-result', outcome, toolMs: this.now() - startedMs, elapsedMs: 0 };
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
      // upstream-rl: an unreachable sandbox ends the episode ("Code execution error", never shown);
      // deepeyesv2 shows an error observation and the episode goes on.
      toolInput =
        this.profile === 'upstream-rl'
          ? { type: 'tool-failure', message: error, elapsedMs: 0 }
          : {
              type: 'tool-result',
              outcome: unavailableToolOutcome(action, this.profile, error),
              toolMs: this.now() - startedMs,
              elapsedMs: 0,
            };
    }
    decided = this.feed(toolInput);
    return this.outcome(decided, tool, error);
  }

  private feed(input: StepInput): LoopStep {
    const decided = nextStep(this.loop, input);
    this.loop = decided.state;
    return decided;
  }

  /** The loop's decision in the wire's words: done and why, or the observation it appended. */
  private async outcome(
    decided: LoopStep,
    tool: ToolCallRecord | null,
    error: string | null,
  ): Promise<StepOutcome> {
    const state = decided.state;
    const action = state.turns.at(-1)?.action ?? 'end';
    if (decided.step.type === 'finish') {
      return {
        ...ended(action, doneReason(state)),
        answer: decided.step.answer,
        tool,
        error: error ?? decided.step.error ?? null,
      };
    }
    const { text, parts, images } = lastObservation(state);
    this.imageCount += images.length;
    const observation: StepObservation = {
      text,
      content: toWireParts(parts, 0),
      raw: toRawContextAppend(text, images.length),
      prompt: `${USER_TURN_START}${text}${ASSISTANT_TURN_START}`,
      images: await Promise.all(images.map(toWireImage)),
    };
    return { action, done: false, done_reason: null, answer: null, observation, tool, error };
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

function ended(action: string, reason: string): StepOutcome {
  return {
    action,
    done: true,
    done_reason: reason,
    answer: null,
    observation: null,
    tool: null,
    error: null,
  };
}

export { THINK_PREFIX };
