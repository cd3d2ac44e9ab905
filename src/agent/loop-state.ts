import type { ChatReply, ChatRequest } from '../model/chat-model.js';
import type { Action, ToolSet } from '../protocol/action.js';
import type { ChatMessage } from '../protocol/chat-message.js';
import type { AgentOptions } from './agent-options.js';
import type { AgentEvent } from './events.js';
import type { RunProgress } from './stop-conditions.js';
import type { ToolOutcome } from './tool-runner.js';
import type { StopReason, TurnRecord } from './trajectory.js';

/** What stays fixed for a whole run. */
export type LoopConfig = {
  readonly options: AgentOptions;
  /** Tools the model may call (see `toolSetFor` in protocol). */
  readonly tools: ToolSet;
  /** Stop strings for every model call; undefined sends none. */
  readonly stop: string[] | undefined;
  /** Item or run id, passed to the model as `metadata.itemId`. */
  readonly runId: string;
  /** upstream-rl only: the RL item's `extra_info.index`, which upstream leaks into tool-call errors. */
  readonly dataIndex?: string | number;
};

/** A model turn parsed into a tool to run, waiting for the tool's result. */
export type PendingTool = {
  readonly reply: ModelTurnReply;
  readonly text: string;
  readonly turn: number;
  readonly modelMs: number;
  readonly action: ToolAction;
};

/**
 * Everything the loop knows between two steps: plain data, never mutated (each step returns a new
 * state), so an external driver can hold it between HTTP requests.
 */
export type LoopState = {
  readonly config: LoopConfig;
  /** The chat so far: system, user (input images + question), then assistant / observation turns. */
  readonly messages: readonly ChatMessage[];
  /** One record per model turn, complete once its tool has answered. */
  readonly turns: readonly TurnRecord[];
  readonly progress: Readonly<RunProgress>;
  readonly promptTokens: number;
  readonly answer: string | null;
  /** vlmevalkit: the last dropped turn, stripped; the answer if the call budget runs out. */
  readonly droppedTurnAnswer?: string;
  /** Where the loop is: waiting to start, for a model turn, for a tool result, or done. */
  readonly phase: 'ready' | 'awaiting-model' | 'awaiting-tool' | 'finished';
  readonly pendingTool?: PendingTool;
  readonly stopReason?: StopReason;
  /** Error text when the run ended with model-error, sandbox-error or aborted by a failing call. */
  readonly error?: string;
};

/** The fields of a model reply the loop reads; a trainer driving the loop may send just these. */
export type ModelTurnReply = Pick<ChatReply, 'text' | 'finishReason' | 'stopSequence' | 'usage'>;

/** Facts about the world only a driver can observe, sent with each input. */
export type DriverClock = {
  /** Milliseconds since the run started (for the time limit). */
  elapsedMs: number;
  /** The caller cancelled the run. */
  aborted?: boolean;
};

/** What a driver feeds `nextStep`. */
export type StepInput =
  /** Before the first model call. */
  | ({ type: 'start' } & DriverClock)
  /** The model answered a `call-model` / `retry` step. */
  | ({ type: 'model-turn'; reply: ModelTurnReply; modelMs: number } & DriverClock)
  /** The model call threw (unreachable server, timeout, cancelled). */
  | ({ type: 'model-error'; message: string } & DriverClock)
  /** The tool of a `run-tool` step finished. */
  | ({ type: 'tool-result'; outcome: ToolOutcome; toolMs: number } & DriverClock)
  /** The tool of a `run-tool` step threw: the sandbox could not run it. */
  | ({ type: 'tool-failure'; message: string } & DriverClock);

/** Actions that need a tool to run. */
export type ToolAction = Extract<Action, { kind: 'code' | 'search' | 'image-search' | 'zoom-in' | 'rotate' }>;

/** What the driver must do next. */
export type NextStep =
  /** Call the model with `request` (the driver adds the time-left signal). */
  | { type: 'call-model'; turn: number; request: ChatRequest }
  /** The last turn was dropped (vlmevalkit); send the same request again. */
  | { type: 'retry'; turn: number; request: ChatRequest }
  /** Run `action` and feed back `tool-result` or `tool-failure`. */
  | { type: 'run-tool'; turn: number; action: ToolAction }
  /** The run is over. */
  | { type: 'finish'; reason: StopReason; answer: string | null; error?: string };

/** One step: the new state, what to do next, and the events that happened (to emit in order). */
export type StepResult = { state: LoopState; step: NextStep; events: AgentEvent[] };
