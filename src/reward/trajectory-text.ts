/**
 * Splitting a decoded trajectory into the model's own turns and the observations spliced between them.
 *
 * The RL rollout hands the reward one string: the assistant turns with every observation appended as
 * `<|im_end|>\n<|im_start|>user\n…<|im_end|>\n<|im_start|>assistant\n` (the final turn ends in `<|im_end|>`).
 * Upstream counts tags over that whole string (golden README bug 24); the `deepeyesv2` profile counts them
 * in the model's turns only, so the split has to be exact.
 */

/** A structured trajectory message; assistant messages are the model's turns, everything else an observation. */
export type TrajectoryMessage = {
  role: string;
  content: string | ReadonlyArray<{ type: string; text?: string }>;
};

export type TrajectoryText = {
  /** The decoded response exactly as the rollout produced it (structured input is rendered the same way). */
  raw: string;
  /** Assistant text per turn, chat-template tokens removed; the pre-filled `<think>` stays in its turn. */
  modelTurns: string[];
  /** Observation text per tool result, as the model read it. */
  observations: string[];
};

const END = '<|im_end|>';
const OBSERVATION_START = `${END}\n<|im_start|>user\n`;
const ASSISTANT_START = `${END}\n<|im_start|>assistant\n`;

/** Strips the tokens that end a generation (`<|im_end|>`, `<|endoftext|>`) from the end of a turn. */
function stripTurnEnd(turn: string): string {
  let text = turn;
  for (;;) {
    if (text.endsWith(END)) text = text.slice(0, -END.length);
    else if (text.endsWith('<|endoftext|>')) text = text.slice(0, -'<|endoftext|>'.length);
    else return text;
  }
}

/** Splits the decoded response string the RL reward receives (`solution_str`). */
export function splitDecodedTrajectory(raw: string): TrajectoryText {
  const modelTurns: string[] = [];
  const observations: string[] = [];
  let position = 0;
  for (;;) {
    const observationAt = raw.indexOf(OBSERVATION_START, position);
    if (observationAt < 0) {
      modelTurns.push(stripTurnEnd(raw.slice(position)));
      break;
    }
    modelTurns.push(raw.slice(position, observationAt));
    const bodyStart = observationAt + OBSERVATION_START.length;
    const assistantAt = raw.indexOf(ASSISTANT_START, bodyStart);
    if (assistantAt < 0) {
      // The trajectory ends on an observation (cut at the turn limit after a tool call).
      observations.push(stripTurnEnd(raw.slice(bodyStart)));
      break;
    }
    observations.push(raw.slice(bodyStart, assistantAt));
    position = assistantAt + ASSISTANT_START.length;
  }
  return { raw, modelTurns, observations };
}

function messageText(content: TrajectoryMessage['content']): string {
  if (typeof content === 'string') return content;
  return content.map((part) => (part.type === 'text' ? (part.text ?? '') : '<image>')).join('');
}

/**
 * Accepts the structured form (a list of role/content messages). System messages and the leading
 * user prompt are not part of the response and are skipped, as the decoded response would not hold them.
 */
export function splitStructuredTrajectory(messages: readonly TrajectoryMessage[]): TrajectoryText {
  const firstAssistant = messages.findIndex((message) => message.role === 'assistant');
  const response = firstAssistant < 0 ? [] : messages.slice(firstAssistant);
  const modelTurns: string[] = [];
  const observations: string[] = [];
  let raw = '';
  for (const message of response) {
    const text = messageText(message.content);
    if (message.role === 'assistant') {
      if (modelTurns.length > 0) raw += ASSISTANT_START;
      modelTurns.push(text);
      raw += text;
    } else if (message.role !== 'system') {
      observations.push(text);
      raw += `${OBSERVATION_START}${text}`;
    }
  }
  if (modelTurns.length === 0) modelTurns.push('');
  return { raw: `${raw}${END}`, modelTurns, observations };
}

export function splitTrajectory(input: string | readonly TrajectoryMessage[]): TrajectoryText {
  return typeof input === 'string' ? splitDecodedTrajectory(input) : splitStructuredTrajectory(input);
}
