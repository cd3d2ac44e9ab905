import sharp from 'sharp';
import { beforeAll, describe, expect } from 'vitest';
import { scriptedModels } from '../model/testing/scripted-test.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import type { SearchProvider } from '../search/search-provider.js';
import { runAgent } from './run-agent.js';

/** A real local sandbox for the file, and scripted models whose scripts must be used up. */
const it = sandboxTest().extend('scripted', scriptedModels);

let picture: Uint8Array;

beforeAll(async () => {
  picture = new Uint8Array(
    await sharp({ create: { width: 280, height: 196, channels: 3, background: '#c33' } })
      .png()
      .toBuffer(),
  );
});

const searchTurn =
  '<think>Look it up.</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "x"}}\n</tool_call>';

describe('runAgent under the vlmevalkit profile', () => {
  it('drops a tool-call turn, re-sends the same request, and records the raw turn when the calls run out', async ({
    sandbox,
    scripted,
  }) => {
    const model = scripted(() => searchTurn);
    const run = await runAgent(
      { question: 'q', images: [picture] },
      { model, sandbox },
      { profile: 'vlmevalkit', mode: 'code' },
    );
    expect(model.requests).toHaveLength(11);
    expect(new Set(model.requests.map((request) => JSON.stringify(request.messages))).size).toBe(1);
    expect(run.trajectory.stopReason).toBe('max-turns');
    expect(run.trajectory.answer).toBe(searchTurn);
  });

  it('closes a cut code block the way the evaluation agent does and uses its stop strings and limits', async ({
    sandbox,
    scripted,
  }) => {
    const model = scripted([
      '<think>t</think>\n<code>\n```python\nprint(2 + 2)\n```\n',
      '<answer>4</answer>',
    ]);
    const run = await runAgent(
      { question: 'q', images: [picture] },
      { model, sandbox },
      { profile: 'vlmevalkit', mode: 'code' },
    );
    expect(model.requests[0]).toMatchObject({
      stop: ['</code>', '<|im_end|>'],
      maxTokens: 2048,
      temperature: 0,
    });
    expect(run.trajectory.turns[0]?.assistant).toBe(
      '<think>t</think>\n<code>\n```python\nprint(2 + 2)\n```</code>',
    );
    expect(run.trajectory.turns[0]?.observation).toBe(
      'Code execution result:\nstdout:\n```\n4\n\n```\n\nstderr:\n```\n\n```\n\nImages:\n',
    );
    expect(run.trajectory.answer).toBe('4');
  });
});

describe('runAgent under the upstream-rl profile', () => {
  it('ends the episode when a search fails, as upstream does', async ({ sandbox, scripted }) => {
    const search: SearchProvider = {
      name: 'down',
      search: async () => {
        throw new Error('503');
      },
    };
    const model = scripted([searchTurn]);
    const run = await runAgent(
      { question: 'q', images: [picture] },
      { model, sandbox, search },
      { profile: 'upstream-rl' },
    );
    expect(run.trajectory.stopReason).toBe('no-action');
    expect(run.trajectory.turns[0]?.toolCall).toMatchObject({ tool: 'search', error: '503' });
    model.assertConsumed();
  });
});

describe('runAgent with DeepEyes v1 tools', () => {
  it('answers image_zoom_in_tool with the cropped region and rejects a degenerate box', async ({
    scripted,
  }) => {
    const model = scripted([
      '<think>zoom</think>\n<tool_call>\n{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [28, 28, 140, 112], "label": "corner"}}\n</tool_call>',
      '<think>again</think>\n<tool_call>\n{"name": "image_zoom_in_tool", "arguments": {"bbox_2d": [10, 10, 12, 12]}}\n</tool_call>',
      '<answer>red</answer>',
    ]);
    const run = await runAgent(
      { question: 'Colour?', images: [picture] },
      { model },
      { toolFormat: 'deepeyes-v1' },
    );
    expect(model.requests[0]?.stop).toEqual(['</tool_call>']);
    expect(model.requests[0]?.messages[0]?.content).toContain('image_zoom_in_tool');
    const [zoom, bad] = run.trajectory.turns;
    expect(zoom?.observation).toMatch(/^<tool_response><image>\n/);
    expect(zoom?.observationImages?.[0]).toMatchObject({ width: 112, height: 84 });
    expect(bad?.observation).toBe('Error: ZOOM IN ARGUMENTS ARE INVALID');
    expect(run.trajectory.answer).toBe('red');
  });
});

describe('runAgent image search', () => {
  function recordingImageSearch() {
    const queries: { width: number; height: number; itemId?: string }[] = [];
    return {
      queries,
      provider: {
        name: 'recording',
        async searchImage(bytes: Uint8Array, options?: { itemId?: string }) {
          const { width = 0, height = 0 } = await sharp(bytes).metadata();
          queries.push({ width, height, ...(options?.itemId ? { itemId: options.itemId } : {}) });
          return [{ title: 'A red card', link: 'https://example.org/card', image: picture }];
        },
      },
    };
  }

  it('searches with the whole input image and the item id by default', async ({ scripted }) => {
    const { queries, provider } = recordingImageSearch();
    const model = scripted(['<tool_call>\n{"name": "image_search"}\n</tool_call>', '<answer>card</answer>']);
    const run = await runAgent(
      { id: 'fvqa_train_7', question: 'q', images: [picture] },
      { model, imageSearch: provider },
      { mode: 'agent' },
    );
    expect(queries).toEqual([{ width: 280, height: 196, itemId: 'fvqa_train_7' }]);
    expect(run.trajectory.turns[0]?.observation).toBe(
      '<tool_response>\nA Google image search for the image found 1 results:\n\n## Web Results\n1. <image>\n[A red card] \n\n</tool_response>',
    );
  });

  it('searches with a region of the image when region search is switched on', async ({ scripted }) => {
    const { queries, provider } = recordingImageSearch();
    const turn =
      '<tool_call>\n{"name": "image_search", "arguments": {"bbox_2d": [28, 28, 140, 112]}}\n</tool_call>';
    const model = scripted([turn, '<answer>card</answer>']);
    await runAgent(
      { question: 'q', images: [picture] },
      { model, imageSearch: provider },
      { imageSearchRegion: true },
    );
    expect(queries).toEqual([expect.objectContaining({ width: 112, height: 84 })]);
    expect(model.requests[0]?.messages[0]?.content).toContain('"bbox_2d": [x1, y1, x2, y2]');
  });
});
