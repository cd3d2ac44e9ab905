import { describe, expect, it } from 'vitest';
import type { ChatModel, ChatRequest } from '../../model/chat-model.js';
import { createChatJudge, parseJudgeVerdict } from './chat-judge.js';

function scriptedModel(replies: string[]): ChatModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    name: 'scripted:judge',
    requests,
    async complete(request) {
      requests.push(request);
      const text = replies.shift();
      if (text === undefined) throw new Error('called past the script');
      return { text, finishReason: 'stop', model: 'judge', latencyMs: 1 };
    },
  };
}

describe('chat judge', () => {
  it('reads boxed verdicts case-insensitively and the last box wins', () => {
    expect(parseJudgeVerdict('same meaning \\boxed{yes}', 'semantic')).toBe('correct');
    expect(parseJudgeVerdict('\\boxed{Yes/No} … \\boxed{No}', 'semantic')).toBe('wrong');
    expect(parseJudgeVerdict('\\boxed{Yes/No}', 'semantic')).toBe('unknown');
    expect(parseJudgeVerdict('not Yes-equivalent', 'semantic')).toBe('unknown');
    expect(parseJudgeVerdict('## Equivalence Judgement\nTRUE', 'math')).toBe('correct');
    expect(parseJudgeVerdict('## Equivalence Judgement: false', 'math')).toBe('wrong');
  });

  it('asks again after an unreadable reply, then reports unknown', async () => {
    const model = scriptedModel(['hmm', '\\boxed{Yes}']);
    const judge = createChatJudge(model);
    const request = { question: 'q', reference: 'a', prediction: 'b', style: 'semantic' as const };
    expect(await judge.judge(request)).toMatchObject({ verdict: 'correct' });
    expect(model.requests.map((sent) => sent.temperature)).toEqual([0, 0]);
    const stubborn = createChatJudge(scriptedModel(['hmm', 'still hmm']));
    expect(await stubborn.judge(request)).toMatchObject({ verdict: 'unknown', raw: 'still hmm' });
  });
});
