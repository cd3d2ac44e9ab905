import { describe, expect, it } from 'vitest';
import { readGolden } from './testing/golden.js';
import { splitTrajectory } from './trajectory-text.js';

const golden = readGolden('reward_format.jsonl') as Array<{
  id: string;
  turns: string[];
  trajectory: string;
}>;

describe('splitTrajectory, decoded form', () => {
  it.each(golden.filter((record) => record.turns.length > 1))(
    'recovers the model turns of $id (the pre-filled <think> stays in its turn)',
    (record) => {
      const { modelTurns, observations } = splitTrajectory(record.trajectory);
      expect(modelTurns).toHaveLength(record.turns.length);
      expect(observations).toHaveLength(record.turns.length - 1);
      expect(modelTurns[0]).toBe(record.turns[0]);
      for (let index = 1; index < record.turns.length; index++) {
        expect(modelTurns[index]).toBe(`<think>${record.turns[index]}`);
      }
    },
  );

  it('keeps observation text exactly as the model read it', () => {
    const record = golden.find((item) => item.id === 'p_think_tag_in_stdout')!;
    expect(splitTrajectory(record.trajectory).observations).toEqual([
      'Code execution result:\nstdout:\n```\n<think>\n\n```\n\nstderr:\n```\n\n```',
    ]);
  });

  it('handles a trajectory that ends on an observation', () => {
    const text = '<think>a</think><code>x</code><|im_end|>\n<|im_start|>user\nresult<|im_end|>';
    expect(splitTrajectory(text)).toMatchObject({
      modelTurns: ['<think>a</think><code>x</code>'],
      observations: ['result'],
    });
  });
});

describe('splitTrajectory, structured form', () => {
  it('treats assistant messages as turns and the rest after the first one as observations', () => {
    const split = splitTrajectory([
      { role: 'system', content: 'sys' },
      { role: 'user', content: [{ type: 'text', text: 'question' }, { type: 'image' }] },
      { role: 'assistant', content: '<think>a</think><code>c</code>' },
      { role: 'user', content: [{ type: 'text', text: 'out ' }, { type: 'image' }] },
      { role: 'assistant', content: '<think>b</think><answer>X</answer>' },
    ]);
    expect(split.modelTurns).toEqual([
      '<think>a</think><code>c</code>',
      '<think>b</think><answer>X</answer>',
    ]);
    expect(split.observations).toEqual(['out <image>']);
    expect(splitTrajectory(split.raw)).toEqual(split);
  });
});
