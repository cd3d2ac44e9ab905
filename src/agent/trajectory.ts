/**
 * The record of one agent run, written as `trajectory.json` with its images as files beside it.
 * Everything downstream (replay, evaluation analytics, reports, SFT export) reads this shape.
 */

/** An image stored beside the trajectory JSON; `path` is relative to the JSON's folder. */
export type StoredImage = { path: string; width: number; height: number };

/** A message part as stored: text, or an image file reference. */
export type StoredPart = { type: 'text'; text: string } | { type: 'image'; image: StoredImage };

export type StoredMessage = {
  role: 'system' | 'user' | 'assistant';
  content: string | StoredPart[];
};

/** What the agent decided to do with one model turn (the parsed action, flattened for JSON). */
export type ToolCallRecord =
  | {
      tool: 'code';
      code: string;
      codeRun: string;
      status: string;
      stdout: string;
      stderr: string;
      imageCount: number;
    }
  | { tool: 'search'; query: string; provider: string; resultCount: number; error?: string }
  | { tool: 'image_search'; provider: string; resultCount: number; error?: string }
  | { tool: 'image_zoom_in_tool' | 'image_rotate_tool'; arguments: unknown; error?: string };

export type TurnRecord = {
  /** 0-based model call number. */
  index: number;
  /** The assistant text as generated (after the pre-filled prefix, stop string restored). */
  assistant: string;
  finishReason: 'stop' | 'length' | 'other';
  /** How the turn was parsed: code, search, image-search, answer, tool-error, end, … */
  action: string;
  toolCall?: ToolCallRecord;
  /** The observation text given back (with `<image>` placeholders), if any. */
  observation?: string;
  /** Images attached to the observation, stored as files. */
  observationImages?: StoredImage[];
  promptTokens?: number;
  completionTokens?: number;
  modelMs: number;
  toolMs: number;
};

export type StopReason =
  | 'answer'
  | 'no-action'
  | 'max-turns'
  | 'max-tokens'
  | 'time-limit'
  | 'length'
  | 'model-error'
  | 'sandbox-error'
  | 'aborted';

export type Trajectory = {
  version: 1;
  id: string;
  /** Model name; replayed and scripted models are labelled as such here. */
  model: string;
  mode: 'agent' | 'code' | 'think' | 'direct';
  profile: 'deepeyesv2' | 'vlmevalkit' | 'upstream-rl';
  question: string;
  inputImages: StoredImage[];
  /** The full chat as sent on the last call plus the final assistant turn. */
  messages: StoredMessage[];
  turns: TurnRecord[];
  answer: string | null;
  stopReason: StopReason;
  /** Error text when stopReason is model-error or sandbox-error. */
  error?: string;
  startedAt: string;
  durationMs: number;
  tokens: { prompt: number; completion: number };
};
