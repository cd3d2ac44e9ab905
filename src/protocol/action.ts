/**
 * Whose rules to follow when reading a turn and writing an observation.
 * - `deepeyesv2` (default): the RL environment the released weights were trained in, with the
 *   deliberate fixes of DESIGN.md (clear error texts, empty code answered, no leaked indices).
 * - `vlmevalkit`: the released evaluation agent (code only, first block, fence-less code, …).
 * - `upstream-rl`: the RL environment exactly, bugs included.
 */
export const COMPAT_PROFILES = ['deepeyesv2', 'vlmevalkit', 'upstream-rl'] as const;
export type CompatProfile = (typeof COMPAT_PROFILES)[number];

/** agent: code + text search + image search; code: code only; think: reason then answer; direct: answer only. */
export const AGENT_MODES = ['agent', 'code', 'think', 'direct'] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

/** Tools the model may call in a run. A call to a tool that is off is answered like an unknown tool. */
export type ToolSet = {
  code: boolean;
  search: boolean;
  imageSearch: boolean;
  /**
   * Beyond the paper: `image_search` may name a region, `{"arguments": {"bbox_2d": [x1, y1, x2, y2]}}`,
   * to search with that crop of the first image. Off by default (DeepEyesV2 searches the whole image
   * and treats any arguments as an error).
   */
  imageSearchRegion?: boolean;
  /** DeepEyes v1 `image_zoom_in_tool` (bbox_2d + optional label). Off unless asked for. */
  zoomIn?: boolean;
  /** DeepEyes v1 `image_rotate_tool` (angle). Off unless asked for. */
  rotate?: boolean;
};

/** The tools each mode offers; `agent` is DeepEyesV2's full set, `code` the released eval harness. */
export function toolSetForMode(mode: AgentMode): ToolSet {
  switch (mode) {
    case 'agent':
      return { code: true, search: true, imageSearch: true };
    case 'code':
      return { code: true, search: false, imageSearch: false };
    case 'think':
    case 'direct':
      return { code: false, search: false, imageSearch: false };
  }
}

/** Why a turn ends the episode without running anything. */
export type EndReason =
  /** No answer, no code, no tool call. */
  | 'no-action'
  /** `<answer></answer>` with nothing inside (upstream: not an answer, and nothing else runs). */
  | 'empty-answer'
  /** `<code>` appears but no `<code>…</code>` block closes. */
  | 'code-block-unclosed'
  /** A `<code>` block without a ```` ```python ```` fence (```` ```py ````, bare fence, no fence). */
  | 'code-without-python-fence'
  /** upstream-rl: a python fence with nothing in it ends the episode. */
  | 'empty-code'
  /**
   * upstream-rl / vlmevalkit: the code is blank after extraction; upstream crashes here
   * (`AttributeError: 'str' object has no attribute 'get'`), so the episode/item is lost.
   */
  | 'empty-code-crash'
  /** `<tool_call>` appears but no `<tool_call>…</tool_call>` block closes. */
  | 'tool-call-unclosed'
  /** The turn asks for code but this run has no code tool (think/direct modes). */
  | 'code-not-enabled'
  /** upstream-rl: image search is a cache lookup that only exists for `fvqa` items; it fails and the episode ends. */
  | 'search-error';

/** What one assistant turn asks for: the pure decision the agent loop acts on. */
export type Action =
  /** Run `code` (as extracted, before any repair). */
  | { kind: 'code'; code: string }
  | { kind: 'search'; query: string }
  /** Search with the first input image, or with the region `bbox` of it when region search is on. */
  | { kind: 'image-search'; bbox?: [number, number, number, number] }
  /** DeepEyes v1: crop `bbox` ([x1, y1, x2, y2] in input-image pixels) from the first input image. */
  | { kind: 'zoom-in'; bbox: [number, number, number, number]; label?: string }
  /** DeepEyes v1: rotate the first input image by `angle` degrees (PIL: counter-clockwise, same canvas). */
  | { kind: 'rotate'; angle: number }
  | { kind: 'answer'; text: string }
  /** Invalid tool call: `observation` goes back to the model as the next user turn and the episode continues. */
  | { kind: 'tool-error'; observation: string }
  /** Nothing runnable: the episode ends. */
  | { kind: 'end'; reason: EndReason }
  /**
   * vlmevalkit only: the evaluation agent ignores this turn (no code, no answer; e.g. a tool call)
   * and sends the same request again. When the call budget runs out, `finalResponse` (the turn,
   * stripped) is what it records as the answer.
   */
  | { kind: 'retry'; finalResponse: string };

export type ActionKind = Action['kind'];
