import { describe, expect, it } from 'vitest';
import type { Judge, JudgeItem, JudgeResult } from '../../reward/index.js';
import { judgeFromReward, ruleVerifiersFromReward } from './reward-adapters.js';

function rewardJudge(result: Partial<JudgeResult>): Judge & { items: JudgeItem[] } {
  const items: JudgeItem[] = [];
  return {
    name: 'reward-judge',
    items,
    async judge(item) {
      items.push(item);
      return {
        verdict: 'correct',
        parsed: 'Yes',
        replies: ['\\boxed{Yes}'],
        attempts: 1,
        cached: false,
        model: 'judge-7b',
        promptVersion: 'v1',
        ...result,
      };
    },
  };
}

describe('adapters to src/reward', () => {
  it('maps verdicts and passes the judge style through', async () => {
    const judge = rewardJudge({ verdict: 'incorrect', replies: ['\\boxed{No}'], cached: true });
    const adapted = judgeFromReward(judge);
    expect(await adapted.judge({ question: 'q', reference: 'r', prediction: 'p', style: 'math' })).toEqual({
      verdict: 'wrong',
      judge: 'judge-7b (cached)',
      raw: '\\boxed{No}',
    });
    expect(judge.items[0]).toMatchObject({ style: 'math', prediction: 'p' });
  });

  it('turns a failed judge call into an error the runner retries, and keeps an unreadable verdict unknown', async () => {
    await expect(
      judgeFromReward(
        rewardJudge({ verdict: 'unknown', error: 'timeout after 60000 ms', replies: [] }),
      ).judge({
        question: 'q',
        reference: 'r',
        prediction: 'p',
        style: 'semantic',
      }),
    ).rejects.toMatchObject({ code: 'judge-unreachable' });
    const unreadable = judgeFromReward(rewardJudge({ verdict: 'unknown', parsed: null, replies: ['maybe'] }));
    expect(
      (await unreadable.judge({ question: 'q', reference: 'r', prediction: 'p', style: 'semantic' })).verdict,
    ).toBe('unknown');
  });

  it('uses the reward rule verifiers, keeping benchmark tolerances', async () => {
    const verifiers = ruleVerifiersFromReward();
    expect(await verifiers.shortAnswer('Paris, France', 'Paris or Paris, France')).toBe(true);
    expect(await verifiers.number('1,000', '1000')).toBe(true);
    expect(await verifiers.number('1040', '1000', { relativeTolerance: 0.05 })).toBe(true);
    expect(await verifiers.number('0.44', '0.5', { precision: 1 })).toBe(false);
    expect(await verifiers.number('0.46', '0.5', { precision: 1 })).toBe(true);
    expect(await verifiers.math('\\frac{1}{2}', '0.5')).toBe(true);
  });
});
