import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { OpenAIChatModel } from '../../model/openai-chat-model.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../model/testing/fake-openai-server.js';
import { createRewardScorer } from '../compute-reward.js';
import { writeUpstreamPromptFiles } from '../testing/golden.js';
import { LlmJudge } from './llm-judge.js';
import { loadJudgePrompt } from './load-judge-prompt.js';

const servers: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
});

async function fake(options: Parameters<typeof startFakeOpenAIServer>[0]): Promise<FakeOpenAIServer> {
  const server = await startFakeOpenAIServer(options);
  servers.push(server);
  return server;
}

function model(url: string, timeoutMs = 5_000) {
  return new OpenAIChatModel({ baseUrls: [url], apiKey: '', timeoutMs, maxRetries: 0 });
}

const request = {
  trajectory: '<think>It says STOP.</think>\n<answer>STOP</answer><|im_end|>',
  groundTruth: 'STOP',
  dataSource: 'perception',
  question: 'What is written on the sign?',
};

describe('judge over real HTTP (fake OpenAI-compatible server on 127.0.0.1)', () => {
  it('sends upstream’s exact request in upstream-rl and reads the verdict', async () => {
    const server = await fake({ models: ['fake-judge'], reply: () => '<think>一致</think>\n\\boxed{Yes}' });
    const files = writeUpstreamPromptFiles();
    const semantic = await loadJudgePrompt(
      { promptFile: files.system, userTemplateFile: files.userTemplate },
      'system-and-user',
      '',
    );
    const judge = new LlmJudge({ models: [model(server.url)], prompts: { semantic }, parsing: 'upstream' });
    const reward = await createRewardScorer({ profile: 'upstream-rl', judge }).score(request);
    expect(reward).toMatchObject({ score: 1, acc: 1, format: 1, decidedBy: 'judge' });
    const body = server.requests[0]!;
    expect(body.model).toBe('fake-judge');
    expect(body.messages).toEqual([
      { role: 'system', content: semantic.system },
      {
        role: 'user',
        content: '\n    [问题]:What is written on the sign?\n    [参考答案]:STOP\n    [模型回答]:STOP\n    ',
      },
    ]);
    expect(body).toMatchObject({ temperature: 0.3, max_tokens: 8192 });
    expect(Number.isInteger(body.seed)).toBe(true);
  });

  it('retries a server that answers garbage, then lets the rules decide and says so', async () => {
    const server = await fake({ models: ['judge'], reply: () => 'lorem ipsum dolor' });
    const judge = new LlmJudge({ models: [model(server.url)], maxAttempts: 2 });
    const reward = await createRewardScorer({ judge }).score(request);
    expect(server.requests).toHaveLength(2);
    expect(reward).toMatchObject({ acc: 1, decidedBy: 'rule:short-answer' });
    expect(reward.judge).toMatchObject({ verdict: 'unknown', attempts: 2, reply: 'lorem ipsum dolor' });
    expect(reward.notes).toEqual(['judge verdict unreadable: rule verifiers decided']);
  });

  it('reports a server whose body is not JSON as a judge failure, not a wrong answer', async () => {
    const server: Server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"choices": [ not json');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    const judge = new LlmJudge({
      models: [new OpenAIChatModel({ baseUrls: [url], model: 'judge', apiKey: '', maxRetries: 0 })],
      maxAttempts: 1,
    });
    const reward = await createRewardScorer({ judge }).score(request);
    expect(reward.judge?.verdict).toBe('unknown');
    expect(reward.judge?.error).toBeTruthy();
    expect(reward).toMatchObject({ acc: 1, decidedBy: 'rule:short-answer' });
    expect(reward.notes[0]).toMatch(/^judge failed/);
  });

  it('gives up on a server that never answers at the timeout', async () => {
    const server = await fake({ models: ['judge'], hang: true });
    const judge = new LlmJudge({ models: [model(server.url, 300)], maxAttempts: 1, timeoutMs: 2_000 });
    const reward = await createRewardScorer({ judge }).score({ ...request, groundTruth: 'GO' });
    expect(reward.judge).toMatchObject({ verdict: 'unknown' });
    expect(reward.judge?.error).toMatch(/did not answer POST \/v1\/chat\/completions within 300 ms/);
    expect(reward).toMatchObject({ acc: 0, decidedBy: 'rule:short-answer' });
  });
});
