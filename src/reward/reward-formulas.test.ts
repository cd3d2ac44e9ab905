import { describe, expect, it } from 'vitest';
import { createRewardScorer } from './compute-reward.js';
import { RewardFormulaRegistry } from './reward-formulas.js';

const codeThenAnswer = [
  { role: 'assistant', content: '<think>zoom</think>\n<code>\n```python\nprint(image_1.size)\n```\n</code>' },
  { role: 'user', content: 'Code execution result:\nstdout:\n```\n(1, 2)\n```' },
  { role: 'assistant', content: '<think>done</think>\n<answer>STOP</answer>' },
];

describe('reward formulas without a judge', () => {
  const scorer = createRewardScorer();

  it('scores perception data and says the rules decided', async () => {
    const reward = await scorer.score({
      trajectory: codeThenAnswer,
      groundTruth: 'stop',
      dataSource: 'perception',
    });
    expect(reward).toMatchObject({
      score: 1,
      acc: 1,
      format: 1,
      decidedBy: 'rule:short-answer',
      formula: 'perception',
    });
    expect(reward.notes).toEqual(['no judge configured: rule verifiers decided']);
    expect(reward.toolUse).toEqual({ codeCalls: 1, toolCalls: 0 });
  });

  it('applies the search penalty for a parsed tool call only', async () => {
    const searched = [
      {
        role: 'assistant',
        content:
          '<think>look</think>\n<tool_call>\n{"name": "search", "arguments": {"query": "q"}}\n</tool_call>',
      },
      { role: 'user', content: '<tool_response>\nresults\n</tool_response>' },
      { role: 'assistant', content: '<think>ok</think>\n<answer>330 m</answer>' },
    ];
    const reward = await scorer.score({
      trajectory: searched,
      groundTruth: '330 metres',
      dataSource: 'search',
    });
    expect(reward).toMatchObject({ acc: 1, format: 1, penalties: { search: 0.1 }, decidedBy: 'rule:number' });
    expect(reward.score).toBe(0.8 * 1 * (1 - 0.1) + 0.2 * 1);
  });

  it('gives the DeepEyes v1 tool bonus only to a correct answer that used a tool', async () => {
    const right = await scorer.score({
      trajectory: codeThenAnswer,
      groundTruth: 'STOP',
      dataSource: 'x',
      formula: 'deepeyes-v1',
    });
    expect(right).toMatchObject({ score: 0.8 + 0.2 + 1.2, bonuses: { tool: 1.2 } });
    const wrong = await scorer.score({
      trajectory: codeThenAnswer,
      groundTruth: 'GO',
      dataSource: 'x',
      formula: 'deepeyes-v1',
    });
    expect(wrong).toMatchObject({ score: 0.2, bonuses: {} });
    const noTool = await scorer.score({
      trajectory: '<think>a</think><answer>STOP</answer>',
      groundTruth: 'STOP',
      dataSource: 'x',
      formula: 'deepeyes-v1',
    });
    expect(noTool.score).toBe(1);
  });

  it('scores reasoning data with math equivalence', async () => {
    const reward = await scorer.score({
      trajectory: '<think>half</think><answer>\\frac{1}{2}</answer>',
      groundTruth: '0.5',
      dataSource: 'reason',
    });
    expect(reward).toMatchObject({ score: 1, decidedBy: 'rule:math-numeric' });
  });

  it('zeroes acc for a 300-character answer without deciding correctness', async () => {
    const reward = await scorer.score({
      trajectory: `<think>a</think><answer>${'a'.repeat(300)}</answer>`,
      groundTruth: 'a'.repeat(300),
      dataSource: 'perception',
    });
    expect(reward).toMatchObject({ score: 0, acc: 0, format: 0, decidedBy: 'answer-too-long' });
  });

  it('runs a registered custom formula', async () => {
    const formulas = new RewardFormulaRegistry().register({
      name: 'strict-format',
      answerStyle: 'semantic',
      checkToolCallTags: true,
      combine: ({ acc, format }) => ({ score: acc * format, penalties: {}, bonuses: {} }),
    });
    formulas.mapDataSource('my-data', 'strict-format');
    const custom = createRewardScorer({ formulas });
    const reward = await custom.score({
      trajectory: '<answer>STOP</answer>',
      groundTruth: 'STOP',
      dataSource: 'my-data',
    });
    expect(reward).toMatchObject({ formula: 'strict-format', acc: 1, format: 0, score: 0 });
  });

  it('rejects an unknown data source with the known ones in the hint', async () => {
    await expect(
      scorer.score({ trajectory: 'x', groundTruth: 'y', dataSource: 'nope' }),
    ).rejects.toMatchObject({
      code: 'reward-data-source-unknown',
      hint: expect.stringContaining('perception'),
    });
  });
});
