import { describe, expect, it } from 'vitest';
import {
  renderZoomErrorObservation,
  renderZoomObservation,
  resolveZoomBox,
  toRawContextAppendV1,
} from './deepeyes-v1.js';
import { parseTurn } from './parse-turn.js';

const V1_TOOLS = { code: false, search: false, imageSearch: false, zoomIn: true, rotate: true };

function call(json: string): string {
  return `<think>The sign is small.</think>\n<tool_call>\n${json}\n</tool_call>`;
}

describe('DeepEyes v1 tool calls', () => {
  it('parses a zoom-in with bbox_2d and label', () => {
    const turn = call(
      '{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [10, 20, 100, 200], "label": "the sign"}}',
    );
    expect(parseTurn(turn, { profile: 'deepeyesv2', tools: V1_TOOLS })).toEqual({
      kind: 'zoom-in',
      bbox: [10, 20, 100, 200],
      label: 'the sign',
    });
  });

  it('parses a rotate', () => {
    const turn = call('{"name": "image_rotate_tool", "arguments": {"angle": 90}}');
    expect(parseTurn(turn, { profile: 'deepeyesv2', tools: V1_TOOLS })).toEqual({
      kind: 'rotate',
      angle: 90,
    });
  });

  it('answers a malformed box with an error and keeps the episode going', () => {
    const action = parseTurn(call('{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [10, 20]}}'), {
      profile: 'deepeyesv2',
      tools: V1_TOOLS,
    });
    expect(action.kind).toBe('tool-error');
  });

  it('treats the zoom tool as unknown when it is not enabled', () => {
    const action = parseTurn(
      call('{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [0, 0, 50, 50]}}'),
      {
        profile: 'deepeyesv2',
      },
    );
    expect(action).toMatchObject({
      kind: 'tool-error',
      observation: expect.stringMatching(/^Error: Invalid tool call name/),
    });
  });
});

describe('resolveZoomBox (v1 maybe_resize_bbox)', () => {
  const image = { width: 640, height: 480 };

  it('clamps the box to the image', () => {
    expect(resolveZoomBox([-10, -5, 700, 500], image)).toEqual([0, 0, 640, 480]);
  });

  it('rejects inverted, tiny and extremely thin boxes', () => {
    expect(resolveZoomBox([100, 100, 50, 150], image)).toBeNull();
    expect(resolveZoomBox([0, 0, 30, 200], image)).toBeNull();
    expect(resolveZoomBox([0, 0, 31, 31], image)).toEqual([0, 0, 31, 31]);
  });
});

describe('v1 observations', () => {
  it('wraps the image and instruction in <tool_response>', () => {
    const text = renderZoomObservation(1, '\nGo on.');
    expect(text).toBe('<tool_response><image>\nGo on.</tool_response>');
    expect(toRawContextAppendV1(text)).toBe(
      '\n<|im_start|>user\n<tool_response><|vision_start|><|image_pad|><|vision_end|>\nGo on.</tool_response><|im_end|>\n<|im_start|>assistant\n',
    );
    expect(renderZoomErrorObservation()).toBe('Error: ZOOM IN ARGUMENTS ARE INVALID');
  });
});
