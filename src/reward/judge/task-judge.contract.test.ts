import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OpenAIChatModel } from '../../model/openai-chat-model.js';
import {
  type FakeChatRequest,
  type FakeOpenAIServer,
  startFakeOpenAIServer,
} from '../../model/testing/fake-openai-server.js';
import type { JudgeTask } from './judge-task.js';
import { LlmTaskJudge, loadTaskPrompts } from './llm-task-judge.js';
import { RuleTaskJudge } from './rule-task-judge.js';
import { taskJudgeContract } from './task-judge.contract.js';

/** Reads our own prompt wording back into a task (what a scripted model behind the server sees). */
function taskFromPrompt(prompt: string): JudgeTask {
  const field = (label: string) => new RegExp(`^${label}: (.*)$`, 'm').exec(prompt)?.[1] ?? '';
  const question = field('Question');
  if (prompt.includes('Reference answer:')) {
    return {
      kind: 'verify',
      question,
      reference: field('Reference answer'),
      prediction: field('Model answer'),
    };
  }
  if (prompt.includes('Options:')) {
    const block = /Options:\n([\s\S]*?)\nModel answer:/.exec(prompt)?.[1] ?? '';
    const options = Object.fromEntries(block.split('\n').map((line) => [line[0]!, line.slice(3)]));
    return { kind: 'match-option', question, options, prediction: field('Model answer') };
  }
  if (prompt.includes('yes/no question'))
    return { kind: 'match-yes-no', question, prediction: field('Model answer') };
  if (prompt.includes('Model response:')) {
    return { kind: 'extract-answer', benchmark: 'mathvista', question, prediction: field('Model response') };
  }
  return {
    kind: 'math-consistency',
    question,
    reference: field('Standard answer'),
    extracted: field('Extracted answer'),
  };
}

const content = (request: FakeChatRequest) => {
  const message = request.messages[0]!.content;
  return typeof message === 'string' ? message : '';
};

describe('TaskJudge contract', () => {
  describe('rule judge', () => {
    taskJudgeContract('rules', () => new RuleTaskJudge());
  });

  describe('LLM judge over HTTP (fake OpenAI server; scripted model answering by rules, labelled)', () => {
    let server: FakeOpenAIServer;
    const rules = new RuleTaskJudge();
    beforeAll(async () => {
      server = await startFakeOpenAIServer({
        models: ['scripted-judge'],
        reply: async (request) => {
          const text = content(request);
          if (text.startsWith('CUSTOM')) return '\\boxed{Yes}';
          return rules.ask(taskFromPrompt(text));
        },
      });
    });
    afterAll(async () => server.close());
    const judge = () =>
      new LlmTaskJudge({ models: [new OpenAIChatModel({ baseUrls: [server.url], maxRetries: 0 })] });

    taskJudgeContract('llm', judge);

    it('sends one user message in our wording, with the temperature the fork uses on retries', async () => {
      const before = server.requests.length;
      await judge().ask(
        { kind: 'match-yes-no', question: 'Is it red?', prediction: 'Nope' },
        { temperature: 1 },
      );
      const request = server.requests[before]!;
      expect(request.messages).toHaveLength(1);
      expect(content(request)).toContain('Model answer: Nope');
      expect(request.temperature).toBe(1);
    });

    it('uses templates from --judge-prompt-file KIND=FILE and refuses an unknown kind', async () => {
      const directory = await mkdtemp(join(tmpdir(), 'deepeyes-judge-prompt-'));
      const path = join(directory, 'verify.md');
      await writeFile(path, 'CUSTOM\r\nQ={question} R={reference} P={prediction}');
      const prompts = await loadTaskPrompts([`verify=${path}`]);
      const custom = new LlmTaskJudge({
        models: [new OpenAIChatModel({ baseUrls: [server.url], maxRetries: 0 })],
        prompts,
      });
      const before = server.requests.length;
      await custom.ask({ kind: 'verify', question: 'q', reference: '{r}', prediction: 'p' });
      expect(content(server.requests[before]!)).toBe('CUSTOM\nQ=q R={r} P=p');
      await expect(loadTaskPrompts([`grade=${path}`])).rejects.toMatchObject({ code: 'judge-prompt-spec' });
      await expect(loadTaskPrompts(['verify=/no/such/file'])).rejects.toMatchObject({
        code: 'judge-prompt-unreadable',
      });
    });
  });

  it('an unreachable judge server is an error, not a verdict', async () => {
    const failing = await startFakeOpenAIServer({ failFirst: { status: 500, count: 10 } });
    try {
      const judge = new LlmTaskJudge({
        models: [new OpenAIChatModel({ baseUrls: [failing.url], maxRetries: 0 })],
      });
      await expect(
        judge.ask({ kind: 'verify', question: 'q', reference: 'a', prediction: 'a' }),
      ).rejects.toThrow();
    } finally {
      await failing.close();
    }
  });
});
