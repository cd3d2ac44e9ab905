import type { LoopState, StepInput, ToolAction } from '../agent/loop-state.js';
import type { ToolOutcome } from '../agent/tool-runner.js';
import type { ToolCallRecord } from '../agent/trajectory.js';
import type { ContentPart, ModelImage } from '../protocol/chat-message.js';
import { parseTurn } from '../protocol/parse-turn.js';
import { renderSandboxErrorObservation } from '../protocol/render-observation.js';
import type { EnvProfile, StepRequest } from './episode-spec.js';

/**
 * What the episode needs from the agent loop's state, in the env's wire vocabulary. Pure: the
 * loop (`nextStep`) decides, these functions only translate its input and its result.
 */

/** The end-of-sequence token: what ended a turn that stopped on no stop string. */
const END_OF_TURN = '<|im_end|>';

/**
 * The trainer's turn as a model reply. The turn arrives as generated, stop string kept, so the
 * reply names the stop that fired (or the end of sequence) and the loop restores nothing: a turn
 * whose code block is left open stays open, as in the rollout. Every finish but `stop` (`length`,
 * `abort`) ends the episode unrun, which the loop does for `length`.
 */
export function modelTurnInput(request: StepRequest, stops: readonly string[]): StepInput {
  const stopped = request.finish_reason === 'stop';
  return {
    type: 'model-turn',
    reply: {
      text: request.text,
      finishReason: stopped ? 'stop' : 'length',
      ...(stopped ? { stopSequence: stops.find((stop) => request.text.endsWith(stop)) ?? END_OF_TURN } : {}),
    },
    modelMs: 0,
    // The trainer owns the wall clock and the token budget; the env only counts turns.
    elapsedMs: 0,
  };
}

/**
 * The result the episode gives the loop when the sandbox could not run the tool under `deepeyesv2`:
 * an error observation the episode goes on with (upstream-rl ends instead: a `tool-failure`).
 */
export function unavailableToolOutcome(
  action: ToolAction,
  profile: EnvProfile,
  message: string,
): ToolOutcome {
  return {
    record: failedRecord(action, message),
    observation: renderSandboxErrorObservation(profile),
    images: [],
  };
}

function failedRecord(action: ToolAction, message: string): ToolCallRecord {
  switch (action.kind) {
    case 'code':
      return {
        tool: 'code',
        code: action.code,
        codeRun: '',
        status: 'sandbox-error',
        stdout: '',
        stderr: message,
        imageCount: 0,
      };
    case 'search':
      return { tool: 'search', query: action.query, provider: 'unavailable', resultCount: 0, error: message };
    case 'image-search':
      return { tool: 'image_search', provider: 'unavailable', resultCount: 0, error: message };
    case 'zoom-in':
      return { tool: 'image_zoom_in_tool', arguments: action, error: message };
    case 'rotate':
      return { tool: 'image_rotate_tool', arguments: action, error: message };
  }
}

/**
 * Why the episode ended, as the wire names it. The loop's `no-action` covers three things the env
 * tells apart: a tool whose failure ended the episode (upstream-rl's failed search), an empty turn,
 * and the parser's own end reasons (`code-without-python-fence`, …), which the parser names.
 */
export function doneReason(state: LoopState): string {
  const reason = state.stopReason ?? 'no-action';
  const last = state.turns.at(-1);
  if (reason !== 'no-action' || last === undefined) return reason;
  if (last.toolCall !== undefined) return 'tool-error';
  if (last.assistant === '') return 'empty-turn';
  const { options, tools, dataIndex } = state.config;
  const action = parseTurn(last.assistant, {
    profile: options.profile,
    tools,
    ...(dataIndex === undefined ? {} : { dataIndex }),
  });
  return action.kind === 'end' ? action.reason : reason;
}

/** The observation the loop just appended: the last turn's text, the last message's parts and images. */
export function lastObservation(state: LoopState): {
  text: string;
  parts: readonly ContentPart[];
  images: ModelImage[];
} {
  const text = state.turns.at(-1)?.observation ?? '';
  const content = state.messages.at(-1)?.content ?? [];
  const parts: readonly ContentPart[] =
    typeof content === 'string' ? [{ type: 'text', text: content }] : content;
  const images = parts.flatMap((part) => (part.type === 'image' ? [part.image] : []));
  return { text, parts, images };
}

export function toolError(record: ToolCallRecord | null): string | null {
  return record !== null && 'error' in record && typeof record.error === 'string' ? record.error : null;
}
