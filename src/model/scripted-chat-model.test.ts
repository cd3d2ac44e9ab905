import { describe, expect, it } from 'vitest';
import type { ChatRequest } from './chat-model.js';
import { ScriptedChatModel, ScriptedModelError } from './scripted-chat-model.js';

const ask = (text: string): ChatRequest => ({ messages: [{ role: 'user', content: text }] });

describe('ScriptedChatModel', () => {
  it('answers from its list in order, labelled scripted, and records requests', async () => {
    const model = new ScriptedChatModel(
      ['first', { text: 'second', finishReason: 'length', usage: { promptTokens: 3, completionTokens: 9 } }],
      {
        label: 'agent-test',
      },
    );
    expect(model.name).toBe('scripted:agent-test');
    expect(await model.complete(ask('one'))).toEqual({
      text: 'first',
      finishReason: 'stop',
      model: 'scripted:agent-test',
      latencyMs: 0,
    });
    expect(await model.complete(ask('two'))).toMatchObject({
      text: 'second',
      finishReason: 'length',
      usage: { completionTokens: 9 },
    });
    expect(model.requests.map((request) => request.messages[0]?.content)).toEqual(['one', 'two']);
    model.assertConsumed();
  });

  it('throws when called past its script', async () => {
    const model = new ScriptedChatModel(['only']);
    await model.complete(ask('one'));
    const error = await model.complete(ask('again')).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ScriptedModelError);
    expect((error as ScriptedModelError).message).toBe(
      'scripted:test was called 2 time(s) but scripted only 1 reply',
    );
    expect((error as ScriptedModelError).hint).toContain('again');
  });

  it('fails assertConsumed while replies are left, and after enqueue until they are used', async () => {
    const model = new ScriptedChatModel(['a', 'b']);
    await model.complete(ask('one'));
    expect(() => model.assertConsumed()).toThrow('scripted:test has 1 unused scripted reply after 1 call(s)');
    await model.complete(ask('two'));
    model.enqueue('c');
    expect(model.remaining).toBe(1);
    expect(() => model.assertConsumed()).toThrow(ScriptedModelError);
    expect((await model.complete(ask('three'))).text).toBe('c');
    model.assertConsumed();
  });

  it('throws a scripted error as if the server failed', async () => {
    const model = new ScriptedChatModel([new Error('server fell over')]);
    await expect(model.complete(ask('one'))).rejects.toThrow('server fell over');
  });

  it('answers from a function of the request and call number', async () => {
    const model = new ScriptedChatModel((request, callIndex) => `${callIndex}:${request.messages.length}`);
    expect((await model.complete(ask('x'))).text).toBe('0:1');
    expect(
      (await model.complete({ messages: [...ask('x').messages, { role: 'assistant', content: 'y' }] })).text,
    ).toBe('1:2');
    expect(() => model.enqueue('z')).toThrow(ScriptedModelError);
    model.assertConsumed();
  });

  it('rejects when the signal is already aborted', async () => {
    const model = new ScriptedChatModel(['never']);
    await expect(model.complete(ask('x'), AbortSignal.abort(new Error('stopped')))).rejects.toThrow(
      'stopped',
    );
    expect(model.remaining).toBe(1);
  });
});
