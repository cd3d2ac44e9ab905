/**
 * `deepeyes run --sandbox-url`: the code cell runs on a `deepeyes sandbox serve` (a real one, real
 * kernels, token required) instead of local kernels, and the model reads the same observation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, onTestFinished } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { memoryIO } from '../../src/cli/io.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { sandboxTest } from '../../src/sandbox/testing/sandbox-test.js';
import { buildSandboxServer } from '../../src/serve/sandbox-server.js';

const TOKEN = 'run-remote-token';
const SCRIPT = [
  '<think>Crop the tag.</think>\n<code>\n```python\ntag = image_1.crop((1340, 800, 1540, 920))\nprint(tag.size)\n```\n</code>',
  '<think>The crop shows 47.</think>\n<answer>47</answer>',
];

const it = sandboxTest({ poolSize: 0, maxSessions: 4 });
let model: FakeOpenAIServer;
let outDir: string;

beforeAll(async () => {
  model = await startFakeOpenAIServer({
    models: ['DeepEyesV2_7B'],
    reply: (request) =>
      SCRIPT[request.messages.filter((message) => message.role === 'assistant').length] ??
      '<answer>?</answer>',
  });
  outDir = await mkdtemp(join(tmpdir(), 'deepeyes-run-remote-'));
});

afterAll(async () => {
  await model?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe('deepeyes run --sandbox-url', () => {
  it('runs the code on the served sandbox, sending its token', async ({ sandbox }) => {
    const app = buildSandboxServer(sandbox, { token: TOKEN });
    onTestFinished(() => app.close());
    await app.listen({ host: '127.0.0.1', port: 0 });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const previous = process.env.DEEPEYES_SANDBOX_TOKEN;
    process.env.DEEPEYES_SANDBOX_TOKEN = TOKEN;
    onTestFinished(() => {
      if (previous === undefined) delete process.env.DEEPEYES_SANDBOX_TOKEN;
      else process.env.DEEPEYES_SANDBOX_TOKEN = previous;
    });

    const io = memoryIO();
    const summary = await runCommand(
      {
        image: ['assets/demo/images/loading-bay.png'],
        question: 'What number is on the small blue tag?',
        model: model.url,
        mode: 'agent',
        profile: 'deepeyesv2',
        codeRepair: 'auto',
        searchCacheMode: 'off',
        out: outDir,
        json: true,
        sandboxUrl: url,
      },
      io,
    );
    expect(summary).toMatchObject({ answer: '47', stop_reason: 'answer' });
    expect(summary.tool_calls).toEqual([
      expect.objectContaining({ tool: 'code', stdout: '(200, 120)\n', status: 'ok' }),
    ]);
    // It ran there: the served sandbox counted the call, and its session was closed after the run.
    expect(sandbox.getStats().executions.ok).toBe(1);
    expect(sandbox.listSessions()).toEqual([]);
  });
});
