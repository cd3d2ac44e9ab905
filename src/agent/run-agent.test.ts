import sharp from 'sharp';
import { beforeAll, describe, expect } from 'vitest';
import { scriptedModels } from '../model/testing/scripted-test.js';
import type { ContentPart } from '../protocol/chat-message.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import type { SearchHit, SearchProvider } from '../search/search-provider.js';
import type { AgentEvent } from './events.js';
import { runAgent } from './run-agent.js';

const codeTurn = (code: string, think = 'Let me look closer.') =>
  `<think>${think}</think>\n<code>\n\`\`\`python\n${code}\n\`\`\`\n</code>`;
const answerTurn = (answer: string) => `<think>Done.</think>\n<answer>${answer}</answer>`;

/** A real local sandbox for the file, and scripted models whose scripts must be used up. */
const it = sandboxTest().extend('scripted', scriptedModels);

let picture: Uint8Array;

beforeAll(async () => {
  picture = new Uint8Array(
    await sharp({ create: { width: 280, height: 140, channels: 3, background: '#3366cc' } })
      .png()
      .toBuffer(),
  );
});

/** A text search over a fixed list, the smallest real `SearchProvider`. */
function listSearch(hits: SearchHit[]): SearchProvider & { queries: string[] } {
  const queries: string[] = [];
  return {
    name: 'list',
    queries,
    async search(query) {
      queries.push(query);
      return hits;
    },
  };
}

describe('runAgent', () => {
  it('shows the model what the DeepEyesV2 sandbox returned, or with codeOutput notebook the kernel output', async ({
    sandbox,
    scripted,
  }) => {
    const code = 'from PIL import Image\ndisplay(image_1.crop((0, 0, 8, 8)))\nimage_1.size';
    const seen: Record<string, { stdout?: string; imageCount?: number } | undefined> = {};
    for (const codeOutput of ['reference', 'notebook'] as const) {
      const model = scripted([codeTurn(code), answerTurn('wide')]);
      const run = await runAgent(
        { question: 'Is it wide?', images: [picture] },
        { model, sandbox },
        { codeOutput },
      );
      seen[codeOutput] = run.trajectory.turns[0]?.toolCall as { stdout?: string; imageCount?: number };
    }
    // The reference printed display()'s repr and the last value's Out[n], and returned no image.
    expect(seen.reference).toMatchObject({
      stdout: '<PIL.Image.Image image mode=RGB size=8x8>\nOut[1]: (280, 140)\n',
      imageCount: 0,
    });
    expect(seen.notebook).toMatchObject({ stdout: '', imageCount: 1 });
  });

  it('runs the code in the kernel, shows its output and images, then answers', async ({
    sandbox,
    scripted,
  }) => {
    const model = scripted([
      codeTurn(
        'import matplotlib.pyplot as plt\nprint(image_1.size)\nplt.imshow(image_1.crop((0, 0, 56, 56)))\nplt.show()',
      ),
      answerTurn('blue'),
    ]);
    const events: AgentEvent[] = [];
    const run = await runAgent(
      { question: 'What colour is it?', images: [picture] },
      { model, sandbox },
      {},
      { onEvent: (event) => events.push(event) },
    );

    expect(run.trajectory.stopReason).toBe('answer');
    expect(run.trajectory.answer).toBe('blue');
    const call = run.trajectory.turns[0]?.toolCall;
    expect(call).toMatchObject({ tool: 'code', status: 'ok', stdout: '(280, 140)\n', imageCount: 1 });
    const observation = run.trajectory.turns[0]?.observation ?? '';
    expect(observation).toBe(
      'Code execution result:\nstdout:\n```\n(280, 140)\n\n```\n\nstderr:\n```\n\n```\n\nImages:\n<image>',
    );
    const followUp = model.requests[1]?.messages.at(-1)?.content as ContentPart[];
    expect(followUp.map((part) => part.type)).toEqual(['text', 'image']);
    expect(run.trajectory.turns[0]?.observationImages).toHaveLength(1);
    expect([...run.files.keys()].filter((path) => path.startsWith('images/turn'))).toHaveLength(1);
    expect(events.map((event) => event.type)).toEqual([
      'run-start',
      'turn-start',
      'model-reply',
      'tool-call',
      'observation',
      'turn-start',
      'model-reply',
      'answer',
      'run-end',
    ]);
    expect(sandbox.listSessions()).toHaveLength(0);
    model.assertConsumed();
  });

  it('keeps kernel state between turns of one trajectory and isolates trajectories', async ({
    sandbox,
    scripted,
  }) => {
    const first = scripted([codeTurn('secret = 41'), codeTurn('print(secret + 1)'), answerTurn('42')]);
    const second = scripted([codeTurn("print('secret' in globals())"), answerTurn('no')]);
    const [a, b] = await Promise.all([
      runAgent({ question: 'q', images: [picture] }, { model: first, sandbox }),
      runAgent({ question: 'q', images: [picture] }, { model: second, sandbox }),
    ]);
    expect(a.trajectory.turns[1]?.toolCall).toMatchObject({ stdout: '42\n' });
    expect(b.trajectory.turns[0]?.toolCall).toMatchObject({ stdout: 'False\n' });
  });

  it('loads every input image as image_i in the kernel', async ({ sandbox, scripted }) => {
    const small = new Uint8Array(
      await sharp({ create: { width: 56, height: 84, channels: 3, background: '#000' } })
        .png()
        .toBuffer(),
    );
    const model = scripted([codeTurn('print(image_1.size, image_2.size)'), answerTurn('ok')]);
    const run = await runAgent({ question: 'q', images: [picture, small] }, { model, sandbox });
    expect(run.trajectory.turns[0]?.toolCall).toMatchObject({ stdout: '(280, 140) (56, 84)\n' });
  });

  it('encodes each input image once and sends the same image on every turn', async ({
    sandbox,
    scripted,
  }) => {
    const model = scripted([codeTurn('x = 1'), codeTurn('x += 1'), answerTurn('2')]);
    await runAgent({ question: 'q', images: [picture] }, { model, sandbox });
    const firstImages = model.requests.map((request) => {
      const content = request.messages[1]?.content;
      return Array.isArray(content) ? content[0] : undefined;
    });
    expect(firstImages[0]?.type).toBe('image');
    expect(new Set(firstImages).size).toBe(1);
  });

  it('repairs indentation only when the code does not compile', async ({ sandbox, scripted }) => {
    const model = scripted([
      codeTurn('for i in range(2):\nprint(i)'),
      codeTurn('total = 0\nfor i in range(3):\n    total += i\nprint(total)'),
      answerTurn('3'),
    ]);
    const run = await runAgent({ question: 'q', images: [picture] }, { model, sandbox });
    const [broken, fine] = run.trajectory.turns.map((turn) => turn.toolCall);
    expect(broken).toMatchObject({ tool: 'code', status: 'ok', stdout: '0\n1\n' });
    expect(broken && 'codeRun' in broken && broken.codeRun).not.toBe(
      broken && 'code' in broken && broken.code,
    );
    expect(fine).toMatchObject({
      stdout: '3\n',
      codeRun: 'total = 0\nfor i in range(3):\n    total += i\nprint(total)',
    });
  });

  it('answers empty code and invalid tool calls with an error observation and goes on', async ({
    sandbox,
    scripted,
  }) => {
    const model = scripted([
      codeTurn('   '),
      '<think>search</think>\n<tool_call>\n{"name": "search", "arguments": {"q": "x"}}\n</tool_call>',
      answerTurn('gave up'),
    ]);
    const run = await runAgent({ question: 'q', images: [picture] }, { model, sandbox });
    expect(run.trajectory.turns.map((turn) => turn.action)).toEqual(['tool-error', 'tool-error', 'answer']);
    expect(run.trajectory.turns[0]?.observation).toMatch(/^Error: /);
    expect(run.trajectory.turns[1]?.observation).toMatch(/^Error: Invalid tool call parameters/);
    expect(run.trajectory.answer).toBe('gave up');
  });

  it('ends the episode on a turn with nothing to run, as the RL environment does', async ({
    sandbox,
    scripted,
  }) => {
    const model = scripted(['<think>Hmm.</think>\n<code>\n```py\nprint(1)\n```\n</code>']);
    const run = await runAgent({ question: 'q', images: [picture] }, { model, sandbox });
    expect(run.trajectory.stopReason).toBe('no-action');
    expect(run.trajectory.turns[0]?.action).toBe('end');
  });

  it('searches through the provider and renders the upstream result text', async ({ sandbox, scripted }) => {
    const search = listSearch([
      { title: 'Kestrel Point Lighthouse', link: 'https://example.org/kp', snippet: 'First lit in 1871.' },
    ]);
    const model = scripted([
      '<think>Look it up.</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "Kestrel Point"}}\n</tool_call>',
      answerTurn('1871'),
    ]);
    const run = await runAgent({ question: 'q', images: [picture] }, { model, sandbox, search });
    expect(search.queries).toEqual(['Kestrel Point']);
    expect(run.trajectory.turns[0]?.observation).toBe(
      "<tool_response>\nA Google search for 'Kestrel Point' found 1 results:\n\n## Web Results\n1. [Kestrel Point Lighthouse](https://example.org/kp)\n\nFirst lit in 1871.\n</tool_response>",
    );
  });

  it('turns a failing search into an error observation, not a crash', async ({ sandbox, scripted }) => {
    const search: SearchProvider = {
      name: 'down',
      search: async () => {
        throw new Error('connection refused');
      },
    };
    const model = scripted([
      '<tool_call>\n{"name": "search", "arguments": {"query": "x"}}\n</tool_call>',
      answerTurn('unknown'),
    ]);
    const run = await runAgent({ question: 'q', images: [picture] }, { model, sandbox, search });
    expect(run.trajectory.turns[0]?.toolCall).toMatchObject({ tool: 'search', error: 'connection refused' });
    expect(run.trajectory.turns[0]?.observation).toMatch(/^Error: The search could not be carried out/);
    expect(run.trajectory.stopReason).toBe('answer');
  });

  it('stops at the turn budget', async ({ sandbox, scripted }) => {
    const model = scripted(() => codeTurn('print(1)'));
    const run = await runAgent({ question: 'q', images: [picture] }, { model, sandbox }, { maxTurns: 3 });
    expect(run.trajectory.stopReason).toBe('max-turns');
    expect(model.requests).toHaveLength(3);
  });

  it('runs nothing from a turn cut by the token limit', async ({ sandbox, scripted }) => {
    const model = scripted([{ text: codeTurn('print(1)').slice(0, 30), finishReason: 'length' }]);
    const run = await runAgent({ question: 'q', images: [picture] }, { model, sandbox });
    expect(run.trajectory.stopReason).toBe('length');
    expect(run.trajectory.turns[0]?.toolCall).toBeUndefined();
  });

  it('records a dead model server as a model error and still closes the session', async ({
    sandbox,
    scripted,
  }) => {
    const model = scripted([codeTurn('y = 2'), new Error('connect ECONNREFUSED 127.0.0.1:9')]);
    const run = await runAgent({ question: 'q', images: [picture] }, { model, sandbox });
    expect(run.trajectory.stopReason).toBe('model-error');
    expect(run.trajectory.error).toContain('ECONNREFUSED');
    expect(sandbox.listSessions()).toHaveLength(0);
  });

  it('opens the session while the model thinks, and reports a sandbox that cannot start at the first code call', async ({
    scripted,
  }) => {
    const broken = {
      openSession: async () => {
        throw new Error('bwrap: No permissions to create new namespace');
      },
      close: async () => undefined,
    };
    const answersDirectly = await runAgent(
      { question: 'q', images: [picture] },
      { model: scripted([answerTurn('blue')]), sandbox: broken },
    );
    expect(answersDirectly.trajectory.stopReason).toBe('answer');
    const runsCode = await runAgent(
      { question: 'q', images: [picture] },
      { model: scripted([codeTurn('print(1)')]), sandbox: broken },
    );
    expect(runsCode.trajectory.stopReason).toBe('sandbox-error');
    expect(runsCode.trajectory.error).toContain('No permissions to create new namespace');
  });

  it('pre-fills <think> after an observation when asked', async ({ sandbox, scripted }) => {
    const model = scripted([codeTurn('1'), 'Seen it.</think>\n<answer>1</answer>']);
    const run = await runAgent(
      { question: 'q', images: [picture] },
      { model, sandbox },
      { prefillThink: true },
    );
    expect(model.requests[1]?.continueFinalMessage).toBe(true);
    expect(model.requests[1]?.messages.at(-1)).toEqual({ role: 'assistant', content: '<think>' });
    expect(run.trajectory.turns[1]?.assistant).toBe('<think>Seen it.</think>\n<answer>1</answer>');
    expect(run.trajectory.answer).toBe('1');
  });

  it('answers in one call without tools in direct mode', async ({ scripted }) => {
    const model = scripted(['Paris']);
    const run = await runAgent(
      { question: 'Capital of France?', images: [picture] },
      { model },
      { mode: 'direct' },
    );
    expect(run.trajectory.answer).toBe('Paris');
    expect(model.requests[0]?.stop).toBeUndefined();
  });
});
