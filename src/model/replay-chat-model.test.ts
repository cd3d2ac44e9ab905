import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InputFormatError } from '../errors.js';
import type { ChatMessage } from '../protocol/chat-message.js';
import type { ChatRequest } from './chat-model.js';
import { ReplayChatModel } from './replay-chat-model.js';
import { ReplayExhaustedError, ReplayScriptNotFoundError } from './replay-errors.js';

const CODE_TURN = '<think>Zoom in on the sign.</think>\n<code>\n```python\nprint(image_1.size)\n```\n</code>';
const ANSWER_TURN = '<think>The sign says 47.</think>\n<answer>47</answer>';
const STOPS = ['</code>', '</tool_call>'];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'deepeyes-replay-'));
});

async function replayFrom(fileName: string, content: string): Promise<ReplayChatModel> {
  const path = join(dir, fileName);
  await writeFile(path, content);
  return ReplayChatModel.fromFile(path);
}

/** The request the agent sends before turn `completed + 1`, optionally with a pre-filled `<think>`. */
function requestAfter(
  completed: string[],
  options: { question?: string; itemId?: string; prefill?: string } = {},
): ChatRequest {
  const messages: ChatMessage[] = [{ role: 'user', content: options.question ?? 'How many boxes?' }];
  for (const turn of completed) {
    messages.push(
      { role: 'assistant', content: turn },
      { role: 'user', content: 'Code execution result: …' },
    );
  }
  if (options.prefill !== undefined) messages.push({ role: 'assistant', content: options.prefill });
  return {
    messages,
    stop: STOPS,
    continueFinalMessage: options.prefill !== undefined ? true : undefined,
    metadata: options.itemId === undefined ? undefined : { itemId: options.itemId },
  };
}

describe('ReplayChatModel', () => {
  it('plays a deepeyes trajectory.json turn by turn, labelled as replay', async () => {
    const trajectory = {
      version: 1,
      id: 'run-1',
      model: 'DeepEyesV2_7B',
      question: 'How many boxes?',
      turns: [
        { index: 0, assistant: CODE_TURN, finishReason: 'stop', action: 'code', modelMs: 5, toolMs: 9 },
        { index: 1, assistant: ANSWER_TURN, finishReason: 'stop', action: 'answer', modelMs: 5, toolMs: 0 },
      ],
    };
    const model = await replayFrom('trajectory.json', JSON.stringify(trajectory));
    expect(model.name).toBe('replay:trajectory.json');
    const first = await model.complete(requestAfter([]));
    // Cut at the stop string like vLLM; the agent restores it from stopSequence.
    expect(first).toMatchObject({
      text: CODE_TURN.slice(0, -'</code>'.length),
      finishReason: 'stop',
      stopSequence: '</code>',
      model: 'replay:trajectory.json',
    });
    const second = await model.complete(requestAfter([CODE_TURN]));
    expect(second.text).toBe(ANSWER_TURN);
    expect(second.stopSequence).toBeUndefined();
  });

  it('reads {"turns": [...]} with strings or assistant objects, and a plain array', async () => {
    const formats = {
      'strings.json': JSON.stringify({ turns: [CODE_TURN, ANSWER_TURN] }),
      'objects.json': JSON.stringify({ turns: [{ assistant: CODE_TURN }, { assistant: ANSWER_TURN }] }),
      'array.json': JSON.stringify([CODE_TURN, ANSWER_TURN]),
    };
    for (const [fileName, content] of Object.entries(formats)) {
      const model = await replayFrom(fileName, content);
      expect((await model.complete(requestAfter([CODE_TURN]))).text, fileName).toBe(ANSWER_TURN);
    }
  });

  it('picks a JSONL library script by item id, else by the key occurring in the question', async () => {
    const library = [
      { key: 'loading-bay', turns: ['<answer>by id</answer>'] },
      { key: 'lighthouse', turns: ['<answer>short key</answer>'] },
      { key: 'Which year was the lighthouse first lit?', turns: ['<answer>by question</answer>'] },
    ];
    const model = await replayFrom('library.jsonl', library.map((row) => JSON.stringify(row)).join('\n'));
    expect((await model.complete(requestAfter([], { itemId: 'loading-bay' }))).text).toBe(
      '<answer>by id</answer>',
    );
    const question = 'Look at the picture. Which year was the lighthouse first lit?';
    // Both keys occur in the question: the longer, more specific one wins.
    expect((await model.complete(requestAfter([], { question, itemId: 'unknown-id' }))).text).toBe(
      '<answer>by question</answer>',
    );
    expect((await model.complete(requestAfter([], { question: 'Is this a lighthouse?' }))).text).toBe(
      '<answer>short key</answer>',
    );
  });

  it('names the question when no library script matches', async () => {
    const model = await replayFrom('one.jsonl', `${JSON.stringify({ key: 'alpha', turns: ['x'] })}\n`);
    const error = await model
      .complete(requestAfter([], { question: 'What colour is the car?', itemId: 'item-9' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReplayScriptNotFoundError);
    expect((error as Error).message).toBe(
      'replay:one.jsonl: no recorded script for item "item-9", question "What colour is the car?"',
    );
    expect((error as ReplayScriptNotFoundError).hint).toContain('"alpha"');
  });

  it('does not count a pre-filled <think> as a turn and does not repeat it', async () => {
    const model = await replayFrom('prefill.json', JSON.stringify([CODE_TURN, ANSWER_TURN]));
    const reply = await model.complete(requestAfter([CODE_TURN], { prefill: '<think>' }));
    expect(reply.text).toBe(ANSWER_TURN.slice('<think>'.length));
  });

  it('answers concurrent runs of different questions from the request alone', async () => {
    const rows = ['a', 'b', 'c'].map((key) => ({
      key,
      turns: [`${key}-turn-1`, `${key}-turn-2`, `${key}-turn-3`],
    }));
    const model = await replayFrom('many.jsonl', rows.map((row) => JSON.stringify(row)).join('\n'));
    const requests = [];
    for (const key of ['c', 'a', 'b']) {
      for (let turn = 2; turn >= 0; turn--) {
        const completed = Array.from({ length: turn }, (_, index) => `${key}-turn-${index + 1}`);
        requests.push({ key, turn, request: requestAfter(completed, { itemId: key }) });
      }
    }
    const replies = await Promise.all(requests.map(({ request }) => model.complete(request)));
    expect(replies.map((reply) => reply.text)).toEqual(
      requests.map(({ key, turn }) => `${key}-turn-${turn + 1}`),
    );
  });

  it('throws ReplayExhaustedError past the end of the recording', async () => {
    const model = await replayFrom('short.jsonl', JSON.stringify({ key: 'q1', turns: [CODE_TURN] }));
    const error = await model
      .complete(requestAfter([CODE_TURN], { itemId: 'q1' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ReplayExhaustedError);
    expect((error as Error).message).toBe(
      'replay:short.jsonl: asked for turn 2 but script "q1" has only 1 recorded turn(s)',
    );
  });

  it('keeps a recorded length cut as a length cut', async () => {
    const model = await replayFrom(
      'cut.json',
      JSON.stringify({ turns: [{ assistant: '<think>long <code>', finishReason: 'length' }] }),
    );
    expect(await model.complete(requestAfter([]))).toMatchObject({
      text: '<think>long <code>',
      finishReason: 'length',
    });
  });

  it('reports the line of a bad JSONL row', async () => {
    const content = [
      JSON.stringify({ key: 'ok', turns: ['x'] }),
      '',
      JSON.stringify({ key: 'no-turns' }),
    ].join('\n');
    const error = await replayFrom('bad.jsonl', content).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputFormatError);
    expect((error as Error).message).toMatch(/bad\.jsonl line 3: .*turns/s);
    const broken = await replayFrom(
      'broken.jsonl',
      `${JSON.stringify({ key: 'a', turns: ['x'] })}\n{"key": "b", "turns": [`,
    ).catch((caught: unknown) => caught);
    expect((broken as Error).message).toMatch(/broken\.jsonl line 2 is not JSON/);
  });

  it('rejects duplicate keys and files of no known format', async () => {
    const duplicate = [
      { key: 'a', turns: ['x'] },
      { key: 'a', turns: ['y'] },
    ]
      .map((row) => JSON.stringify(row))
      .join('\n');
    await expect(replayFrom('dup.jsonl', duplicate)).rejects.toThrow(
      'dup.jsonl line 2: key "a" is already used on line 1',
    );
    await expect(replayFrom('odd.json', JSON.stringify({ answers: ['x'] }))).rejects.toBeInstanceOf(
      InputFormatError,
    );
    await expect(ReplayChatModel.fromFile(join(dir, 'missing.json'))).rejects.toThrow(
      'Cannot read replay file',
    );
  });

  it('plays the bundled demo library by the question in the prompt', async () => {
    const model = await ReplayChatModel.fromFile(join(import.meta.dirname, '../../assets/demo/replay.jsonl'));
    const question = 'What number is printed on the small blue tag on the floor?\n\nThink first, then act.';
    const reply = await model.complete(requestAfter([], { itemId: 'some-run-id', question }));
    expect(reply.stopSequence).toBe('</code>');
    expect(reply.text).toContain('image_1.crop(');
  });
});
