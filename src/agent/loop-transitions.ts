import type { ChatRequest } from '../model/chat-model.js';
import { toChatContent } from '../protocol/chat-content.js';
import type { ModelImage } from '../protocol/chat-message.js';
import type { AgentOptions } from './agent-options.js';
import type { AgentEvent } from './events.js';
import type { DriverClock, LoopState, StepResult } from './loop-state.js';
import {
  firstStop,
  maxCompletionTokens,
  maxElapsed,
  maxModelCalls,
  type StopCondition,
} from './stop-conditions.js';
import type { StopReason } from './trajectory.js';
import { buildTurnRecord, type ModelTurnPart, type ToolTurnPart } from './turn-record.js';

const THINK_PREFIX = '<think>';

/** The assistant prefix the model continues on this turn: `<think>` after an observation when asked. */
export function prefillFor(options: AgentOptions, turn: number): string {
  return options.prefillThink && turn > 0 ? THINK_PREFIX : '';
}

/** The run's budgets, in priority order. */
export function stopConditionsFor(options: AgentOptions): StopCondition[] {
  return [
    maxElapsed(options.timeLimitMs),
    maxModelCalls(options.maxTurns),
    maxCompletionTokens(options.maxTotalTokens),
  ];
}

/** The request for the next model call: the chat so far (a fresh array), budgets, sampling. */
export function modelRequest(state: LoopState, turn: number): ChatRequest {
  const { options, stop, runId } = state.config;
  const prefill = prefillFor(options, turn);
  return {
    messages: prefill ? [...state.messages, { role: 'assistant', content: prefill }] : [...state.messages],
    stop,
    maxTokens: Math.min(options.maxTokensPerTurn, options.maxTotalTokens - state.progress.completionTokens),
    temperature: options.temperature,
    topP: options.topP,
    seed: options.seed,
    continueFinalMessage: prefill ? true : undefined,
    metadata: { itemId: runId },
  };
}

/** Checks the budgets and the caller's cancel, then asks for the next model call (or a retry of it). */
export function continueOrStop(
  state: LoopState,
  clock: DriverClock,
  events: AgentEvent[],
  kind: 'call-model' | 'retry',
): StepResult {
  const progress = { ...state.progress, elapsedMs: clock.elapsedMs };
  const checked: LoopState = { ...state, progress };
  const reason = firstStop(stopConditionsFor(state.config.options), progress);
  if (reason !== undefined) return finish(checked, reason, events);
  if (clock.aborted) return finish(checked, 'aborted', events);
  const turn = progress.modelCalls;
  return {
    state: { ...checked, phase: 'awaiting-model' },
    step: { type: kind, turn, request: modelRequest(checked, turn) },
    events: [...events, { type: 'turn-start', turn }],
  };
}

/** Records a completed turn whose observation goes back to the model, then continues. */
export function observe(
  state: LoopState,
  clock: DriverClock,
  model: ModelTurnPart,
  tool: Omit<ToolTurnPart, 'observation'>,
  events: AgentEvent[],
  observation: { text: string; images: ModelImage[] },
): StepResult {
  const observed: LoopState = {
    ...state,
    turns: [...state.turns, buildTurnRecord(model, { ...tool, observation })],
    messages: [
      ...state.messages,
      { role: 'user', content: toChatContent(observation.text, observation.images) },
    ],
  };
  const observationEvent: AgentEvent = {
    type: 'observation',
    turn: model.turn,
    text: observation.text,
    imageSizes: observation.images.map((image) => [image.width, image.height]),
    toolMs: tool.toolMs,
  };
  return continueOrStop(observed, clock, [...events, observationEvent], 'call-model');
}

/** Ends the run; a dropped turn becomes the answer when the call budget ran out without one. */
export function finish(
  state: LoopState,
  reason: StopReason,
  events: AgentEvent[],
  extra: { answer?: string; error?: string } = {},
): StepResult {
  let answer = extra.answer ?? state.answer;
  if (answer === null && reason === 'max-turns' && state.droppedTurnAnswer !== undefined) {
    answer = state.droppedTurnAnswer;
  }
  const error = extra.error ?? state.error;
  return {
    state: {
      ...state,
      phase: 'finished',
      answer,
      stopReason: reason,
      ...(error === undefined ? {} : { error }),
    },
    step: { type: 'finish', reason, answer, ...(error === undefined ? {} : { error }) },
    events,
  };
}
