/**
 * `deepeyes run --sandbox-url`: the code cell runs on a `deepeyes sandbox serve` (a real one, real
 * kernels, token required) instead of local kernels, and the model reads the same observation.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, onTestFinished } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { memoryIO } from '../../src/cli/io.js';
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { sandboxTest } from '../../src/sandbox/testing/sandbox-test.js';
import { serveSandboxWithToken } from '../../src/serve/testing/serve-sandbox-with-token.js';

const TOKEN = 'run-remote-token';
const SCRIPT = [
  '<think>Crop the tag.</think>\n<code>\n```python\ntag = image_1.crop((1340, 800, 1540, 920))\nprint(tag.size)\n```\n</code>',
  '<think>The crop shows 47.</think>\n<answer>47</answer>',
];

const it = sandboxTest({ poolSize: 0, maxSessions: 4 });

describe('deepeyes run --sandbox-url', () => {
  it('runs the code on the served sandbox, sending its token', async ({ sandbox }) => {
    const url = await serveSandboxWithToken(sandbox, TOKEN);
    const model = await startFakeOpenAIServer({
      models: ['DeepEyesV2_7B'],
      reply: (request) =>
        SCRIPT[request.messages.filter((message) => message.role === 'assistant').length] ?? '?',
    });
    onTestFinished(() => model.close());
    const outDir = await mkdtemp(join(tmpdir(), 'deepeyes-run-remote-'));
    onTestFinished(() => rm(outDir, { recursive: true, force: true }));

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
