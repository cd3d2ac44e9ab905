import { VISION_TOKENS } from './chat-content.js';
import { IMAGE_PLACEHOLDER } from './render-observation.js';

/*
 * DeepEyes v1 (github Visual-Agent/DeepEyes, `visual_toolbox_v2`): the model calls
 * `image_zoom_in_tool` with `bbox_2d` [x1, y1, x2, y2] (+ optional `label`) or `image_rotate_tool`
 * with `angle`, inside `<tool_call>`; the environment answers `<tool_response><image>…</tool_response>`
 * with the crop. Parsing lives in `parseTurn` (enable `zoomIn` / `rotate` in the tool set); the
 * prompt wording here is deepeyes' own, with v1's tool schema and tag formats.
 */

export type ZoomBox = [number, number, number, number];

/**
 * v1's `maybe_resize_bbox`: clamp the box to the image, reject it unless left < right, top <
 * bottom, aspect ratio ≤ 100 and both sides > 30 px; null when rejected (v1 then answers
 * "ZOOM IN ARGUMENTS ARE INVALID"). v1 also widens boxes under 28 px, which its own > 30 px check
 * makes unreachable, so that branch is left out.
 */
export function resolveZoomBox(bbox: ZoomBox, image: { width: number; height: number }): ZoomBox | null {
  const left = Math.max(0, bbox[0]);
  const top = Math.max(0, bbox[1]);
  const right = Math.min(image.width, bbox[2]);
  const bottom = Math.min(image.height, bbox[3]);
  if (!(left < right && bottom > top)) return null;
  const height = bottom - top;
  const width = right - left;
  if (Math.max(height, width) / Math.min(height, width) > 100) return null;
  if (Math.min(height, width) <= 30) return null;
  return [left, top, right, bottom];
}

/** Text after the zoomed image inside `<tool_response>`; v1 repeats its format instruction here. */
export const ZOOM_TURN_INSTRUCTION =
  '\nLook at the zoomed view. Reason inside <think>...</think>, then either zoom again with <tool_call>...</tool_call> or give the final answer inside <answer>...</answer>.';

/** The user turn after a zoom-in or rotate: the resulting image(s), then the instruction, inside `<tool_response>`. */
export function renderZoomObservation(
  imageCount: number,
  instruction: string = ZOOM_TURN_INSTRUCTION,
): string {
  return `<tool_response>${IMAGE_PLACEHOLDER.repeat(imageCount)}${instruction}</tool_response>`;
}

/** v1's error observation: `Error: ` and the reason, outside any `<tool_response>`. */
export function renderZoomErrorObservation(reason = 'ZOOM IN ARGUMENTS ARE INVALID'): string {
  return `Error: ${reason}`;
}

/**
 * What v1's rollout appends to the context: unlike DeepEyesV2 it does not close the assistant turn
 * with `<|im_end|>` first and does not pre-fill `<think>`.
 */
export function toRawContextAppendV1(text: string): string {
  return `\n<|im_start|>user\n${text.replaceAll(IMAGE_PLACEHOLDER, VISION_TOKENS)}<|im_end|>\n<|im_start|>assistant\n`;
}

const ZOOM_TOOL_SCHEMA = JSON.stringify({
  type: 'function',
  function: {
    name: 'image_zoom_in_tool',
    description:
      'Crop a region of the image, given by a bounding box and an optional label, and look at it enlarged.',
    parameters: {
      type: 'object',
      properties: {
        bbox_2d: {
          type: 'array',
          items: { type: 'number' },
          minItems: 4,
          maxItems: 4,
          description:
            'The region as [x1, y1, x2, y2]: top-left and bottom-right corners, in pixels of the image.',
        },
        label: { type: 'string', description: 'What is in the region (optional).' },
      },
      required: ['bbox_2d'],
    },
  },
});

/** System prompt for DeepEyes v1 models: the zoom tool's schema and the `<tool_call>` format. */
export const DEEPEYES_V1_SYSTEM_PROMPT = `You are a helpful assistant.

# Tools
You can call a function to look at part of the image more closely. Its signature is inside <tools></tools>:
<tools>
${ZOOM_TOOL_SCHEMA}
</tools>

# Calling a tool
Write a JSON object with the function name and its arguments inside <tool_call></tool_call>:
<tool_call>
{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [10, 20, 100, 200], "label": "the red sign"}}
</tool_call>`;

/** Appended to the question for DeepEyes v1 models. */
export const DEEPEYES_V1_USER_SUFFIX =
  '\nReason first, zoom in with image_zoom_in_tool if it helps, then answer. Use the format: <think>...</think> <tool_call>...</tool_call> (when zooming) <answer>...</answer>';
