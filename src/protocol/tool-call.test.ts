import { describe, expect, it } from 'vitest';
import { interpretToolCall } from './tool-call.js';

describe('image search on a region (opt-in extension)', () => {
  const tools = { code: true, search: true, imageSearch: true, imageSearchRegion: true };
  const call = (body: string, profile: 'deepeyesv2' | 'upstream-rl' = 'deepeyesv2') =>
    interpretToolCall(body, { profile, tools });

  it('searches with the named region when region search is on', () => {
    expect(call('{"name": "image_search", "arguments": {"bbox_2d": [10, 20, 110, 220]}}')).toEqual({
      kind: 'image-search',
      bbox: [10, 20, 110, 220],
    });
    expect(call('{"name": "image_search", "arguments": {}}')).toEqual({ kind: 'image-search' });
  });

  it('explains a malformed region instead of guessing', () => {
    const action = call('{"name": "image_search", "arguments": {"bbox_2d": [1, 2]}}');
    expect(action.kind).toBe('tool-error');
    expect(action.kind === 'tool-error' && action.observation).toMatch(
      /a region with \{"name": "image_search"/,
    );
  });

  it('keeps upstream behaviour when region search is off or the profile is upstream-rl', () => {
    const body = '{"name": "image_search", "arguments": {"bbox_2d": [10, 20, 110, 220]}}';
    expect(
      interpretToolCall(body, { profile: 'deepeyesv2', tools: { ...tools, imageSearchRegion: false } }),
    ).toEqual({
      kind: 'tool-error',
      observation: `Error: Invalid tool call parameters for image search: ${body}.`,
    });
    expect(call(body, 'upstream-rl').kind).toBe('tool-error');
  });
});

describe('Python number types in upstream error texts', () => {
  const tools = { code: true, search: true, imageSearch: true };
  const upstream = (body: string) =>
    interpretToolCall(body, { profile: 'upstream-rl', tools, dataIndex: 'x_0' });

  // Python: json.loads('2.0')['name'] -> TypeError: 'float' object is not subscriptable (1e2 too).
  it.each([
    ['2.0', 'float'],
    ['1e2', 'float'],
    ['2', 'int'],
    ['12345678901234567890', 'int'],
  ])('should name the type of %s as Python does (%s)', (body, type) => {
    expect(upstream(body)).toEqual({
      kind: 'tool-error',
      observation: `Error: '${type}' object is not subscriptable for x_0`,
    });
  });

  it('should read float coordinates of a region as numbers', () => {
    const action = interpretToolCall(
      '{"name": "image_search", "arguments": {"bbox_2d": [1.0, 2.5, 1e2, 200]}}',
      {
        profile: 'deepeyesv2',
        tools: { ...tools, imageSearchRegion: true },
      },
    );
    expect(action).toEqual({ kind: 'image-search', bbox: [1, 2.5, 100, 200] });
  });
});
