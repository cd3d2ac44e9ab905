import { normalizeAssistantTurn } from '../protocol/extract-turn.js';
import { parseTurn } from '../protocol/parse-turn.js';
import { pythonStrip } from '../protocol/python-text.js';
import type { AgentEvent } from './events.js';
import type { LoopState, StepInput, StepResult } from './loop-state.js';
import { continueOrStop, finish, observe, prefillFor } from './loop-transitions.js';
import { restoreStopString } from './restore-stop-string.js';
import { buildTurnRecord, type ModelTurnPart } from './turn-record.js';

/** A driver fed `nextStep` an input the loop is not waiting for (a bug in the driver). */
export class LoopInputError extends Error {
  override name = 'LoopInputError';
}

const EXPECTED_PHASE: Record<StepInput['type'], LoopState['phase']> = {
  start: 'ready',
  'model-turn': 'awaiting-model',
  'model-error': 'awaiting-model',
  'tool-result': 'awaiting-tool',
  'tool-failure': 'awaiting-tool',
};

/**
 * The agent loop's decision, pure: given the state and what just happened (a model turn, a tool
 * result, a failure), returns the new state, what to do next and the events to emit. A driver
 * performs the I/O each step asks for and feeds the result back, until a `finish` step.
 *
 * @example
 * let { state, step } = nextStep(openLoop(...), { type: 'start', elapsedMs: 0 });
 * // step.type === 'call-model': send step.request, then
 * ({ state, step } = nextStep(state, { type: 'model-turn', reply, modelMs, elapsedMs }));
 */
export function nextStep(state: LoopState, input: StepInput): StepResult {
  const expected = EXPECTED_PHASE[input.type];
  if (state.phase !== expected) {
    throw new LoopInputError(
      `nextStep got '${input.type}' while the loop is ${state.phase}, not ${expected}`,
    );
  }
  const turn = state.progress.modelCalls;
  switch (input.type) {
    case 'start':
      return continueOrStop(state, input, [], 'call-model');
    case 'model-error':
      return finish(state, input.aborted ? 'aborted' : 'model-error', [errorEvent(turn, input.message)], {
        error: input.message,
      });
    case 'model-turn':
      return afterModelTurn(state, input);
    case 'tool-result':
    case 'tool-failure': {
      const pending = state.pendingTool!;
      const model: ModelTurnPart = { ...pending, action: pending.action.kind };
      const resumed: LoopState = { ...state, pendingTool: undefined };
      if (input.type === 'tool-failure') {
        const turns = [...state.turns, buildTurnRecord(model)];
        return finish({ ...resumed, turns }, 'sandbox-error', [errorEvent(pending.turn, input.message)], {
          error: input.message,
        });
      }
      const { outcome } = input;
      const callEvent: AgentEvent = { type: 'tool-call', turn: pending.turn, call: outcome.record };
      if (outcome.endsEpisode) {
        // upstream-rl: a failed search or an unreachable sandbox ends the episode there.
        const turns = [...state.turns, buildTurnRecord(model, { toolCall: outcome.record, toolMs: 0 })];
        return finish({ ...resumed, turns }, 'no-action', [callEvent]);
      }
      return observe(resumed, input, model, { toolCall: outcome.record, toolMs: input.toolMs }, [callEvent], {
        text: outcome.observation,
        images: outcome.images,
      });
    }
  }
}

function afterModelTurn(state: LoopState, input: Extract<StepInput, { type: 'model-turn' }>): StepResult {
  const { options, tools } = state.config;
  const { reply, modelMs } = input;
  const turn = state.progress.modelCalls;
  // RL keeps the stop string; the evaluation agent strips the turn and closes a cut code block.
  const text =
    options.profile === 'vlmevalkit'
      ? normalizeAssistantTurn(reply.text, 'vlmevalkit')
      : prefillFor(options, turn) + restoreStopString(reply);
  const counted: LoopState = {
    ...state,
    progress: {
      ...state.progress,
      modelCalls: turn + 1,
      completionTokens: state.progress.completionTokens + (reply.usage?.completionTokens ?? 0),
    },
    promptTokens: state.promptTokens + (reply.usage?.promptTokens ?? 0),
    messages: [...state.messages, { role: 'assistant', content: text }],
  };
  const events: AgentEvent[] = [
    {
      type: 'model-reply',
      turn,
      text,
      finishReason: reply.finishReason,
      completionTokens: reply.usage?.completionTokens,
      latencyMs: modelMs,
    },
  ];
  const model = (action: string): ModelTurnPart => ({ turn, reply, text, action, modelMs });
  const recorded = (action: string): LoopState => ({
    ...counted,
    turns: [...counted.turns, buildTurnRecord(model(action))],
  });

  if (reply.finishReason === 'length' && options.profile !== 'vlmevalkit') {
    // A turn cut by the token limit runs nothing, as in the RL rollout.
    return finish(recorded('length'), 'length', events);
  }
  const { dataIndex } = state.config;
  const action = parseTurn(text, {
    profile: options.profile,
    tools,
    ...(dataIndex === undefined ? {} : { dataIndex }),
  });
  switch (action.kind) {
    case 'answer':
      events.push({ type: 'answer', turn, answer: action.text });
      return finish(recorded(action.kind), 'answer', events, { answer: action.text });
    case 'retry':
      // The evaluation agent drops such a turn and sends the same request again; if the budget
      // runs out, the last dropped turn is what it records as the answer.
      return continueOrStop(
        { ...recorded(action.kind), messages: state.messages, droppedTurnAnswer: action.finalResponse },
        input,
        events,
        'retry',
      );
    case 'end': {
      const answer = pythonStrip(text);
      if (options.mode === 'direct' && answer !== '') {
        return finish(recorded(action.kind), 'answer', events, { answer });
      }
      return finish(recorded(action.kind), 'no-action', events);
    }
    case 'tool-error':
      return observe(counted, input, model(action.kind), { toolMs: 0 }, events, {
        text: action.observation,
        images: [],
      });
    default:
      return {
        state: { ...counted, phase: 'awaiting-tool', pendingTool: { reply, text, turn, modelMs, action } },
        step: { type: 'run-tool', turn, action },
        events,
      };
  }
}

function errorEvent(turn: number, message: string): AgentEvent {
  return { type: 'error', turn, message };
}
