import { describe, expect, it } from 'vitest';
import { resolveAgentOptions } from './agent-options.js';
import type { LoopState, StepInput } from './loop-state.js';
import { LoopInputError, nextStep } from './next-step.js';
import { openLoop } from './open-loop.js';

const open = (options = {}) =>
  openLoop({ runId: 'item-1', question: 'q?', inputImages: [], options: resolveAgentOptions(options) });
const turn = (text: string, elapsedMs = 1): StepInput => ({
  type: 'model-turn',
  reply: { text, finishReason: 'stop' },
  modelMs: 5,
  elapsedMs,
});
const codeTurn = '<think>t</think>\n<code>\n```python\nprint(1)\n```\n';

describe('nextStep driven from outside, one model turn at a time', () => {
  it('asks for a model call, a tool run, then the next call with the observation, then finishes on the answer', () => {
    let result = nextStep(open(), { type: 'start', elapsedMs: 0 });
    expect(result.step).toMatchObject({
      type: 'call-model',
      turn: 0,
      request: { stop: ['</code>', '</tool_call>'] },
    });
    result = nextStep(result.state, turn(codeTurn));
    // The stop string the server dropped is restored before parsing.
    expect(result.step).toEqual({ type: 'run-tool', turn: 0, action: { kind: 'code', code: 'print(1)' } });
    expect(result.state.phase).toBe('awaiting-tool');
    const outcome = {
      record: {
        tool: 'code' as const,
        code: 'print(1)',
        codeRun: 'print(1)',
        status: 'ok',
        stdout: '1\n',
        stderr: '',
        imageCount: 0,
      },
      observation: 'out: 1',
      images: [],
    };
    result = nextStep(result.state, { type: 'tool-result', outcome, toolMs: 7, elapsedMs: 2 });
    expect(result.events.map((event) => event.type)).toEqual(['tool-call', 'observation', 'turn-start']);
    expect(result.step.type === 'call-model' && result.step.request.messages.at(-1)).toEqual({
      role: 'user',
      content: [{ type: 'text', text: 'out: 1' }],
    });
    expect(result.state.turns[0]).toMatchObject({
      index: 0,
      action: 'code',
      toolMs: 7,
      observation: 'out: 1',
    });
    result = nextStep(result.state, turn('<answer>1</answer>'));
    expect(result.step).toEqual({ type: 'finish', reason: 'answer', answer: '1' });
    expect(result.state.turns).toHaveLength(2);
  });

  it('stops at the time limit and on cancel before calling the model again', () => {
    const state: LoopState = open({ timeLimitMs: 10 });
    expect(nextStep(state, { type: 'start', elapsedMs: 10 }).step).toMatchObject({ reason: 'time-limit' });
    expect(nextStep(state, { type: 'start', elapsedMs: 0, aborted: true }).step).toMatchObject({
      reason: 'aborted',
    });
  });

  it('asks for a retry of the same request when the evaluation agent drops a turn', () => {
    const first = nextStep(open({ profile: 'vlmevalkit', mode: 'code' }), { type: 'start', elapsedMs: 0 });
    const dropped = nextStep(first.state, turn('<tool_call>{"name": "search"}</tool_call>'));
    expect(dropped.step.type).toBe('retry');
    if (first.step.type === 'call-model' && dropped.step.type === 'retry') {
      expect(dropped.step.request.messages).toEqual(first.step.request.messages);
    }
  });

  it('rejects an input the loop is not waiting for', () => {
    expect(() => nextStep(open(), turn('<answer>1</answer>'))).toThrow(LoopInputError);
  });
});
