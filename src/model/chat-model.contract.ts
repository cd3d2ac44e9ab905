import { expect, it } from 'vitest';
import type { ChatMessage, ModelImage } from '../protocol/chat-message.js';
import type { ChatModel, ChatReply } from './chat-model.js';

/** A model under test that will generate `turns` in order (one per call), and how to release it. */
export type ChatModelUnderTest = { model: ChatModel; close?: () => Promise<void> };

export type ChatModelContractOptions = {
  /**
   * The implementation cuts a generation at the request's stop strings and reports which one, as
   * vLLM does (the OpenAI client through its server, the replay model). A scripted model returns its
   * script verbatim by design and leaves this off.
   */
  appliesStopStrings: boolean;
};

/** 1×1 PNG: enough for a backend to carry an image part (none of them decodes it). */
const PIXEL: ModelImage = {
  id: 'contract-pixel',
  mimeType: 'image/png',
  bytes: Uint8Array.from(
    Buffer.from(
      'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
      'base64',
    ),
  ),
  width: 1,
  height: 1,
};

const QUESTION: ChatMessage[] = [
  { role: 'system', content: 'You answer questions about images.' },
  {
    role: 'user',
    content: [
      { type: 'image', image: PIXEL },
      { type: 'text', text: 'What colour is the pixel?' },
    ],
  },
];

function expectPlainReply(reply: ChatReply): void {
  expect(typeof reply.text).toBe('string');
  expect(['stop', 'length', 'other']).toContain(reply.finishReason);
  expect(reply.model).not.toBe('');
  expect(Number.isFinite(reply.latencyMs) && reply.latencyMs >= 0).toBe(true);
  // Replies go into trajectories as JSON: nothing may be lost on the way.
  expect(JSON.parse(JSON.stringify(reply))).toEqual(reply);
}

/**
 * What every `ChatModel` must do. Register it in each implementation's test with a factory that
 * makes a model generating the given turns:
 * `chatModelContract('scripted', async (turns) => ({ model: new ScriptedChatModel(turns) }), { appliesStopStrings: false })`.
 * Each test closes what the factory opened; a scripted model's close checks its script was used up.
 */
export function chatModelContract(
  label: string,
  create: (turns: string[]) => Promise<ChatModelUnderTest>,
  options: ChatModelContractOptions,
): void {
  async function withModel(turns: string[], body: (model: ChatModel) => Promise<void>): Promise<void> {
    const underTest = await create(turns);
    try {
      await body(underTest.model);
    } finally {
      await underTest.close?.();
    }
  }

  it(`${label}: should answer a question with an image as plain data`, async () => {
    await withModel(['<think>It is red.</think>\n<answer>red</answer>'], async (model) => {
      expect(model.name).not.toBe('');
      const reply = await model.complete({ messages: QUESTION, maxTokens: 64 });
      expectPlainReply(reply);
      expect(reply.text).toBe('<think>It is red.</think>\n<answer>red</answer>');
      expect(reply.finishReason).toBe('stop');
    });
  });

  it(`${label}: should generate the next turn of a conversation that already holds assistant turns`, async () => {
    const turns = [
      '<think>look</think>\n<tool_call>{"name": "image_search"}</tool_call>',
      '<answer>red</answer>',
    ];
    await withModel(turns, async (model) => {
      const first = await model.complete({ messages: QUESTION });
      expect(first.text).toBe(turns[0]);
      const second = await model.complete({
        messages: [
          ...QUESTION,
          { role: 'assistant', content: first.text },
          { role: 'user', content: '<tool_response>a red square</tool_response>' },
        ],
      });
      expect(second.text).toBe('<answer>red</answer>');
    });
  });

  it.runIf(options.appliesStopStrings)(
    `${label}: should cut the generation at a stop string and report which one`,
    async () => {
      await withModel(['<code>\n```python\nprint(1)\n```\n</code> and more'], async (model) => {
        const reply = await model.complete({ messages: QUESTION, stop: ['</code>', '</tool_call>'] });
        expect(reply.text).toBe('<code>\n```python\nprint(1)\n```\n');
        expect(reply.finishReason).toBe('stop');
        expect(reply.stopSequence).toBe('</code>');
      });
    },
  );

  it(`${label}: should reject a call whose signal is already aborted`, async () => {
    await withModel([], async (model) => {
      const signal = AbortSignal.abort(new Error('caller gave up'));
      await expect(model.complete({ messages: QUESTION }, signal)).rejects.toThrow();
    });
  });
}
