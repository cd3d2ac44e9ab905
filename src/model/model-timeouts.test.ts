import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelCallDeadlineError, ModelTimeoutError } from './model-errors.js';
import { OpenAIChatModel } from './openai-chat-model.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './testing/fake-openai-server.js';

/** A server that accepts connections and never answers anything (a stuck vLLM). */
async function hungServer(): Promise<{ url: string; server: Server }> {
  const server = createServer(() => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

const servers: Server[] = [];
const fakes: FakeOpenAIServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  for (const fake of fakes.splice(0)) await fake.close();
});

const hello = { messages: [{ role: 'user' as const, content: 'Hi' }], maxTokens: 8 };

describe('model waits are bounded, configurable and named', () => {
  it('gives up model discovery after its own timeout, telling the user while it waits', async () => {
    const { url } = await hungServer();
    const notices: string[] = [];
    const model = new OpenAIChatModel({
      baseUrls: [url],
      apiKey: '',
      timeoutMs: 600_000,
      discoveryTimeoutMs: 150,
      discoveryMaxRetries: 1,
      retryBaseDelayMs: 0,
      waitNoticeMs: 50,
      onWait: (message) => notices.push(message),
    });
    const error = await model.resolveModel().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelTimeoutError);
    expect((error as Error).message).toBe(
      `Model server at ${url} did not answer GET /v1/models within 150 ms per attempt (2 attempts)`,
    );
    expect((error as ModelTimeoutError).hint).toMatch(/--model-discovery-timeout/);
    expect(notices).toEqual([
      `waiting for the model server at ${url} to list its models (GET /models; up to 150 ms per attempt, 2 attempts)…`,
    ]);
  });

  it("names the server when the caller's deadline ends a hung chat call", async () => {
    const { url } = await hungServer();
    const model = new OpenAIChatModel({ baseUrls: [url], apiKey: '', model: 'm' });
    const error = await model.complete(hello, AbortSignal.timeout(100)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ModelCallDeadlineError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Model server at ${url} had not answered after \\d+ ms when the caller's time limit ran out$`,
      ),
    );
    expect((error as ModelCallDeadlineError).hint).toMatch(/--time-limit/);
  });

  it('passes a plain abort (Ctrl-C) through unchanged', async () => {
    const server = await startFakeOpenAIServer({ hang: true });
    fakes.push(server);
    const model = new OpenAIChatModel({ baseUrls: [server.url], apiKey: '', model: 'fake-model' });
    const controller = new AbortController();
    const reason = new Error('interrupted by the user');
    const pending = model.complete(hello, controller.signal);
    // Ctrl-C while the request is on the server, which never answers.
    await server.waitForRequests(1);
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
  });
});
