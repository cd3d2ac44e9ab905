/**
 * `--sandbox-url`: the rollout stages run their code on a `deepeyes sandbox serve` elsewhere, not on a
 * local sandbox. A real sandbox server (real kernels) on 127.0.0.1 requiring a token, a scripted model
 * server whose rollouts write one code cell, and the curate stages run through the CLI's own path.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, onTestFinished } from 'vitest';
import { CurationStore } from '../../curate/store/curation-store.js';
import { makeCurationSample } from '../../curate/testing/make-curation-sample.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../model/testing/fake-openai-server.js';
import { sandboxTest } from '../../sandbox/testing/sandbox-test.js';
import { serveSandboxWithToken } from '../../serve/testing/serve-sandbox-with-token.js';
import { processIO } from '../io.js';
import { curateConfigFromFlags } from './curate.js';
import { runCurateStages } from './curate-run.js';

const TOKEN = 'curate-remote-token';
const CODE = '<think>Measure it.</think>\n<code>\n```python\nprint(image_1.size)\n```\n</code>';
const WRONG = '<think>so</think>\n<answer>not this</answer>';

// Room for every rollout in flight: a session waiting for the model's next turn is idle, and a full
// server evicts idle sessions (docs/curation.md says to serve with --max-sessions ≥ --concurrency).
const it = sandboxTest({ poolSize: 1, maxSessions: 16 });

describe('curate with --sandbox-url', () => {
  let directory: string;
  let model: FakeOpenAIServer;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'curate-remote-'));
    // First call of a rollout: a code cell; after its observation: a wrong answer, so every item stays hard.
    model = await startFakeOpenAIServer({
      reply: (request) => (request.messages.some((message) => message.role === 'assistant') ? WRONG : CODE),
    });
  });
  afterAll(async () => {
    await model?.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('should run every code cell of the tool-benefit rollouts on the remote server, with its token', async ({
    sandbox,
  }) => {
    const url = await serveSandboxWithToken(sandbox, TOKEN);

    const sample = await makeCurationSample(join(directory, 'source'), 6);
    const out = join(directory, 'out');
    const config = await curateConfigFromFlags({
      out,
      source: [sample.sourcePath],
      student: model.url,
      k: 2,
      concurrency: 8,
      sandboxUrl: url,
      mix: true,
    });
    expect(config.agent.sandboxUrl).toBe(url);
    const errors: string[] = [];
    const result = await runCurateStages(config, ['ingest', 'clean', 'difficulty', 'tool-benefit'], {
      ...processIO(),
      err: (text) => errors.push(text),
    });
    expect(result.finished, errors.join('')).toBe(true);

    const store = new CurationStore(out);
    onTestFinished(() => store.close());
    const rollouts = store.database
      .prepare("SELECT tool_calls AS toolCalls FROM rollouts WHERE stage = 'tool-benefit'")
      .all() as { toolCalls: number }[];
    expect(rollouts.length).toBeGreaterThan(0);
    expect(rollouts.every((rollout) => rollout.toolCalls === 1)).toBe(true);
    // Each of those code cells ran on the served sandbox (its counters), which let none in without the token.
    expect(sandbox.getStats().executions.ok).toBe(rollouts.length);
    const refused = await fetch(`${url}/sessions`, {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(refused.status).toBe(401);
  });

  it('should refuse a sandbox URL that is not http(s), naming the key', async () => {
    await expect(
      curateConfigFromFlags({ out: join(directory, 'bad'), sandboxUrl: 'ftp://example.org', mix: true }),
    ).rejects.toThrow(/agent\.sandboxUrl/);
  });
});
