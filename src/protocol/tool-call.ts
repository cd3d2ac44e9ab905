import type { Action, CompatProfile, ToolSet } from './action.js';
import { parsePythonJson } from './python-json.js';
import { jsonNumberValue, PythonFloat } from './python-number.js';
import { pythonRepr, pythonTypeName } from './python-repr.js';
import { pythonStrip } from './python-text.js';

export type ToolCallContext = {
  profile: CompatProfile;
  tools: ToolSet;
  /**
   * upstream-rl only: the RL item's `extra_info.index`. Upstream appends it to some error texts
   * ("… for fvqa_train_0") and uses it as the image-search cache key. Absent: printed as `None`.
   */
  dataIndex?: string | number;
};

const ZOOM_TOOL = 'image_zoom_in_tool';
const ROTATE_TOOL = 'image_rotate_tool';

function toolError(text: string): Action {
  return { kind: 'tool-error', observation: text };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return (
    typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof PythonFloat)
  );
}

/** The message of the exception Python raises for `value[key]` (TypeError or KeyError). */
function subscriptError(value: unknown, key: string): string | undefined {
  if (isPlainObject(value)) return key in value ? undefined : pythonRepr(key);
  if (Array.isArray(value)) return 'list indices must be integers or slices, not str';
  if (typeof value === 'string') return "string indices must be integers, not 'str'";
  return `'${pythonTypeName(value)}' object is not subscriptable`;
}

function enabledNames(tools: ToolSet): string[] {
  const names: string[] = [];
  if (tools.search) names.push('search');
  if (tools.imageSearch) names.push('image_search');
  if (tools.zoomIn) names.push(ZOOM_TOOL);
  if (tools.rotate) names.push(ROTATE_TOOL);
  return names;
}

/**
 * Decides what the body of the last `<tool_call>…</tool_call>` asks for, following the RL
 * environment's checks in order: JSON, `name`, known name, image-search arguments, search query.
 * Error texts are upstream's; `upstream-rl` keeps the ones that leak the data index and Python
 * exception texts, `deepeyesv2` replaces those with plain explanations.
 */
export function interpretToolCall(body: string, context: ToolCallContext): Action {
  const call = pythonStrip(body);
  const upstream = context.profile === 'upstream-rl';
  const leak = (message: string) => toolError(`Error: ${message} for ${context.dataIndex ?? 'None'}`);

  const decoded = parsePythonJson(call, { pythonNumbers: true });
  if (!decoded.ok) return toolError(`Error: Invalid tool call format: ${call}. Error: ${decoded.message}`);
  const value = decoded.value;

  const nameError = subscriptError(value, 'name');
  if (nameError !== undefined || !isPlainObject(value)) {
    if (upstream) return leak(nameError ?? 'invalid tool call');
    return toolError(
      `Error: Invalid tool call format: ${call}. A tool call is a JSON object with a "name" and, if the tool takes any, "arguments".`,
    );
  }
  const name = value.name;
  const args = value.arguments ?? null;

  if (typeof name !== 'string' || !enabledNames(context.tools).includes(name)) {
    return toolError(`Error: Invalid tool call name: ${call}.`);
  }
  if (name === 'image_search') {
    if (args !== null) {
      if (context.tools.imageSearchRegion && !upstream) return interpretImageSearchRegion(call, args);
      return toolError(`Error: Invalid tool call parameters for image search: ${call}.`);
    }
    if (upstream && context.dataIndex !== undefined) {
      // Upstream's "image search" is a cache lookup: `'fvqa' in index` fails on an int index and
      // any other item is a miss, which ends the episode with "Search error".
      if (typeof context.dataIndex === 'number') return leak("argument of type 'int' is not iterable");
      if (!context.dataIndex.includes('fvqa')) return { kind: 'end', reason: 'search-error' };
    }
    return { kind: 'image-search' };
  }
  if (name === 'search') return interpretSearch(call, args, context, leak);
  if (name === ZOOM_TOOL) return interpretZoom(call, args);
  return interpretRotate(call, args);
}

function interpretSearch(
  call: string,
  args: unknown,
  context: ToolCallContext,
  leak: (message: string) => Action,
): Action {
  const upstream = context.profile === 'upstream-rl';
  const queryError = subscriptError(args, 'query');
  if (upstream) {
    if (queryError !== undefined) return leak(queryError);
    const query = (args as Record<string, unknown>).query;
    // The released search is a placeholder that concatenates the query to a string; anything but
    // a string raises TypeError, and its handler then fails on `e.message`.
    if (typeof query !== 'string') return leak("'TypeError' object has no attribute 'message'");
    return { kind: 'search', query };
  }
  const query = queryError === undefined ? (args as Record<string, unknown>).query : undefined;
  if (typeof query !== 'string' || pythonStrip(query) === '') {
    return toolError(
      `Error: Invalid tool call parameters for search: ${call}. Give the query as text: {"name": "search", "arguments": {"query": "..."}}.`,
    );
  }
  return { kind: 'search', query };
}

/** Region search (an opt-in extension): `{"bbox_2d": [x1, y1, x2, y2]}` in pixels of the first image; `{}` = whole image. */
function interpretImageSearchRegion(call: string, args: unknown): Action {
  if (isPlainObject(args) && Object.keys(args).length === 0) return { kind: 'image-search' };
  const bbox = isPlainObject(args) ? args.bbox_2d : undefined;
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isFiniteNumber)) {
    return toolError(
      `Error: Invalid tool call parameters for image search: ${call}. Search the whole image with {"name": "image_search"}, or a region with {"name": "image_search", "arguments": {"bbox_2d": [x1, y1, x2, y2]}}.`,
    );
  }
  return { kind: 'image-search', bbox: toBox(bbox) };
}

function isFiniteNumber(value: unknown): boolean {
  const number = jsonNumberValue(value);
  return number !== undefined && Number.isFinite(number);
}

/** Four decoded JSON numbers (ints, floats or big ints) as plain numbers. */
function toBox(values: unknown[]): [number, number, number, number] {
  return values.map((value) => jsonNumberValue(value)!) as [number, number, number, number];
}

/** DeepEyes v1: `{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [x1, y1, x2, y2], "label": "…"}}`. */
function interpretZoom(call: string, args: unknown): Action {
  const bbox = isPlainObject(args) ? args.bbox_2d : undefined;
  if (!Array.isArray(bbox) || bbox.length !== 4 || !bbox.every(isFiniteNumber)) {
    return toolError(
      `Error: Invalid tool call parameters for ${ZOOM_TOOL}: ${call}. Give "bbox_2d" as four numbers [x1, y1, x2, y2] in pixels of the original image.`,
    );
  }
  const label = isPlainObject(args) && typeof args.label === 'string' ? args.label : undefined;
  const box = toBox(bbox);
  return label === undefined ? { kind: 'zoom-in', bbox: box } : { kind: 'zoom-in', bbox: box, label };
}

/** DeepEyes v1: `{"name": "image_rotate_tool", "arguments": {"angle": 90}}`. */
function interpretRotate(call: string, args: unknown): Action {
  const angle = jsonNumberValue(isPlainObject(args) ? args.angle : undefined);
  if (angle === undefined || !Number.isFinite(angle)) {
    return toolError(
      `Error: Invalid tool call parameters for ${ROTATE_TOOL}: ${call}. Give "angle" in degrees as a number.`,
    );
  }
  return { kind: 'rotate', angle };
}
