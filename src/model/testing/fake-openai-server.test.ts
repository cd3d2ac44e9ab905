import { afterEach, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './fake-openai-server.js';

let server: FakeOpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The reply fields these tests read. */
type ChatJson = {
  message?: string;
  choices: {
    message: { role: string; content: string };
    finish_reason: string;
    stop_reason: string | null;
  }[];
};

async function chat(url: string, body: unknown): Promise<{ status: number; json: ChatJson }> {
  const response = await fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as ChatJson };
}

describe('startFakeOpenAIServer', () => {
  it('lists its models like /v1/models', async () => {
    server = await startFakeOpenAIServer({ models: ['a', 'b'] });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    const list = (await (await fetch(`${server.url}/models`)).json()) as { data: { id: string }[] };
    expect(list.data.map((entry) => entry.id)).toEqual(['a', 'b']);
    expect(server.modelListCount()).toBe(1);
  });

  it('applies stop strings the way vLLM does and reports stop_reason', async () => {
    server = await startFakeOpenAIServer({ reply: () => 'go <tool_call>{}</tool_call> tail' });
    const stopped = await chat(server.url, {
      messages: [{ role: 'user', content: 'q' }],
      stop: '</tool_call>',
    });
    expect(stopped.json.choices[0]).toMatchObject({
      message: { role: 'assistant', content: 'go <tool_call>{}' },
      finish_reason: 'stop',
      stop_reason: '</tool_call>',
    });
    const free = await chat(server.url, { messages: [{ role: 'user', content: 'q' }] });
    expect(free.json.choices[0]).toMatchObject({ finish_reason: 'stop', stop_reason: null });
    expect(server.requests).toHaveLength(2);
  });

  it('passes the request and call number to reply and honours a length finish', async () => {
    server = await startFakeOpenAIServer({
      reply: (request, index) => ({ text: `${index}:${request.messages.length}`, finishReason: 'length' }),
    });
    const reply = await chat(server.url, { messages: [{ role: 'user', content: 'q' }] });
    expect(reply.json.choices[0]).toMatchObject({ message: { content: '0:1' }, finish_reason: 'length' });
  });

  it('answers 404 for a model it does not serve, with vLLM-style error body', async () => {
    server = await startFakeOpenAIServer();
    const reply = await chat(server.url, { model: 'other', messages: [] });
    expect(reply.status).toBe(404);
    expect(reply.json.message).toBe('The model `other` does not exist.');
  });

  it('fails the first requests as configured, then answers', async () => {
    server = await startFakeOpenAIServer({ failFirst: { status: 503, count: 1, retryAfterSeconds: 2 } });
    const response = await fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ messages: [] }),
    });
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('2');
    expect((await chat(server.url, { messages: [] })).status).toBe(200);
  });

  it('answers 500 with the message when reply throws, and 400 for a bad body', async () => {
    server = await startFakeOpenAIServer({
      reply: () => {
        throw new Error('scripted crash');
      },
    });
    const crashed = await chat(server.url, { messages: [] });
    expect(crashed).toEqual({ status: 500, json: expect.objectContaining({ message: 'scripted crash' }) });
    expect((await chat(server.url, { messages: 'nope' })).status).toBe(400);
  });

  it('signals when requests arrive, and names the shortfall when they do not', async () => {
    server = await startFakeOpenAIServer();
    const second = server.waitForRequests(2);
    await chat(server.url, { messages: [] });
    await chat(server.url, { messages: [] });
    await expect(second).resolves.toBeUndefined();
    await expect(server.waitForRequests(1)).resolves.toBeUndefined();
    await expect(server.waitForRequests(3, 20)).rejects.toThrow(
      'the fake OpenAI server got 2 of 3 chat requests in 20 ms',
    );
  });

  it('closes even while a request hangs', async () => {
    server = await startFakeOpenAIServer({ hang: true });
    const pending = fetch(`${server.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ messages: [] }),
    });
    await server.waitForRequests(1);
    await server.close();
    server = undefined;
    await expect(pending).rejects.toThrow();
  });
});
