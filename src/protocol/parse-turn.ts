import { type Action, type CompatProfile, type ToolSet, toolSetForMode } from './action.js';
import {
  allAnswers,
  codeBlocks,
  lastToolCall,
  normalizeAssistantTurn,
  pythonFences,
  vlmevalkitAnswer,
  vlmevalkitCode,
} from './extract-turn.js';
import { pythonStrip } from './python-text.js';
import { renderEmptyCodeObservation } from './render-observation.js';
import { interpretToolCall } from './tool-call.js';

export type ParseTurnOptions = {
  profile: CompatProfile;
  /** Tools this run offers; default: the `agent` set (code, search, image search). */
  tools?: ToolSet;
  /** upstream-rl only: the RL item index that upstream leaks into error texts and keys image search by. */
  dataIndex?: string | number;
};

/**
 * Reads one assistant turn (as generated, stop string included) and decides what it asks for.
 * Pure; never throws on model output.
 *
 * RL profiles decide by precedence, not by a format check: a non-empty `<answer>` anywhere ends
 * the episode (the last one); else the literal `<code>` anywhere selects code (last block, last
 * ```` ```python ```` fence in it); else `<tool_call>` (the last one); else the episode ends.
 * `vlmevalkit` follows the evaluation agent: first block, fence-less code accepted, tool calls
 * ignored (the turn is dropped and the request re-sent).
 */
export function parseTurn(text: string, options: ParseTurnOptions): Action {
  const tools = options.tools ?? toolSetForMode('agent');
  if (options.profile === 'vlmevalkit') return parseEvaluationTurn(text, tools);
  return parseRlTurn(text, { ...options, tools });
}

function parseRlTurn(text: string, options: ParseTurnOptions & { tools: ToolSet }): Action {
  const upstream = options.profile === 'upstream-rl';
  const answers = allAnswers(text);
  const answer = answers.at(-1);
  // Upstream ends on any non-empty string; deepeyesv2 also treats a whitespace-only answer as empty.
  if (answer !== undefined && (upstream ? answer !== '' : pythonStrip(answer) !== '')) {
    return { kind: 'answer', text: upstream ? answer : pythonStrip(answer) };
  }

  if (text.includes('<code>')) {
    if (!options.tools.code) return { kind: 'end', reason: 'code-not-enabled' };
    const block = codeBlocks(text).at(-1);
    if (block === undefined) return { kind: 'end', reason: 'code-block-unclosed' };
    const code = pythonFences(block).at(-1);
    if (code === undefined) return { kind: 'end', reason: 'code-without-python-fence' };
    if (pythonStrip(code) === '') {
      if (!upstream) return { kind: 'tool-error', observation: renderEmptyCodeObservation(options.profile) };
      // Upstream: '' fails its `if not code_string` and ends; blank code is sent, the sandbox
      // answers an error string and `execute` crashes reading it.
      return { kind: 'end', reason: code === '' ? 'empty-code' : 'empty-code-crash' };
    }
    return { kind: 'code', code };
  }

  if (text.includes('<tool_call>')) {
    const body = lastToolCall(text);
    if (body === null) return { kind: 'end', reason: 'tool-call-unclosed' };
    return interpretToolCall(body, {
      profile: options.profile,
      tools: options.tools,
      dataIndex: options.dataIndex,
    });
  }

  return { kind: 'end', reason: answers.length > 0 ? 'empty-answer' : 'no-action' };
}

/**
 * The released VLMEvalKit agent: code runs first if the turn has `<code>` (an empty extraction
 * crashes the item); then any `<answer>` ends the loop, with the first answer (or the whole turn
 * if it is unclosed) as the response. Everything else is dropped and the request re-sent.
 * Without a code tool (its think/direct modes) the reply is the answer as it stands.
 */
function parseEvaluationTurn(text: string, tools: ToolSet): Action {
  const turn = normalizeAssistantTurn(text, 'vlmevalkit');
  if (!tools.code) return { kind: 'answer', text: vlmevalkitAnswer(turn) };
  const hasAnswer = turn.includes('<answer>');
  if (turn.includes('<code>')) {
    const code = vlmevalkitCode(turn);
    if (code === '') return { kind: 'end', reason: 'empty-code-crash' };
    // A turn that also answers runs its code, but the loop stops before anyone reads the output.
    if (!hasAnswer) return { kind: 'code', code };
  }
  if (hasAnswer) return { kind: 'answer', text: vlmevalkitAnswer(turn) };
  return { kind: 'retry', finalResponse: vlmevalkitAnswer(turn) };
}
