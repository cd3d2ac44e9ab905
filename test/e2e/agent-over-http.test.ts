/**
 * End to end: the `deepeyes run` command in-process, a fake OpenAI-compatible server over real HTTP
 * answering DeepEyesV2-style turns (one of them malformed), and the real sandbox.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../src/cli/commands/run.js';
import { memoryIO } from '../../src/cli/io.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';

const IMAGE = 'assets/demo/images/loading-bay.png';

/** What the fake model writes, by how many assistant turns the request already holds. */
const SCRIPT = [
  // Malformed: the tool call's JSON is broken. The agent must answer an error and go on.
  '<think>I will search first.</think>\n<tool_call>\n{"name": "search", "arguments": {"query": }\n</tool_call>',
  // Generation would go past </code>; the server must cut it there like vLLM.
  '<think>Crop the tag instead.</think>\n<code>\n```python\ntag = image_1.crop((1340, 800, 1540, 920))\nprint(tag.size)\n```\n</code>\nthis text is past the stop string',
  '<think>The crop shows 47.</think>\n<answer>47</answer>',
];

let server: FakeOpenAIServer;
let outDir: string;

beforeAll(async () => {
  server = await startFakeOpenAIServer({
    models: ['DeepEyesV2_7B'],
    reply: (request) =>
      SCRIPT[request.messages.filter((message) => message.role === 'assistant').length] ??
      '<answer>?</answer>',
  });
  outDir = await mkdtemp(join(tmpdir(), 'deepeyes-e2e-'));
});

afterAll(async () => {
  await server?.close();
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

/** The flags every run here shares: the demo image, JSON output, offline search, no cache. */
function runFlags() {
  return {
    image: [IMAGE],
    mode: 'agent',
    profile: 'deepeyesv2',
    codeRepair: 'auto',
    searchCacheMode: 'off',
    out: outDir,
    json: true,
  } as const;
}

describe('deepeyes run against an OpenAI-compatible server', () => {
  it('drives the loop over HTTP, recovers from a malformed turn and prints one JSON object', async () => {
    const io = memoryIO();
    const summary = await runCommand(
      {
        ...runFlags(),
        question: 'What number is on the small blue tag?',
        model: server.url,
      },
      io,
    );

    const printed = JSON.parse(io.stdout.join(''));
    expect(printed).toEqual(summary);
    expect(printed).toMatchObject({ answer: '47', turns: 3, stop_reason: 'answer', model: 'DeepEyesV2_7B' });
    expect(printed.tool_calls).toEqual([
      expect.objectContaining({ tool: 'code', stdout: '(200, 120)\n', status: 'ok' }),
    ]);

    // The request shapes the server saw: stop strings, the image as a data URI, the error observation.
    expect(server.requests).toHaveLength(3);
    expect(server.requests[0]?.stop).toEqual(['</code>', '</tool_call>']);
    const firstUser = server.requests[0]?.messages[1]?.content;
    expect(
      Array.isArray(firstUser) && firstUser[0]?.type === 'image_url' && firstUser[0].image_url.url,
    ).toMatch(/^data:image\/png;base64,/);
    const errorObservation = server.requests[1]?.messages.at(-1)?.content;
    expect(errorObservation).toMatch(/^Error: Invalid tool call format: /);
    // The stop string is restored in the recorded turn; the text generated past it is gone.
    const assistantAfterCode = server.requests[2]?.messages.at(-2)?.content;
    expect(assistantAfterCode).toMatch(/print\(tag\.size\)\n```\n<\/code>$/);

    const trajectory = JSON.parse(await readFile(printed.trajectory_path, 'utf8'));
    expect(trajectory.turns.map((turn: { action: string }) => turn.action)).toEqual([
      'tool-error',
      'code',
      'answer',
    ]);
    expect(trajectory.inputImages[0].path).toBe('images/input-1.png');
    await expect(readFile(join(outDir, trajectory.id, 'images/input-1.png'))).resolves.toBeInstanceOf(Buffer);
  });

  it('reports a model server that is not there as a model error with a hint', async () => {
    const io = memoryIO();
    await expect(
      runCommand(
        {
          ...runFlags(),
          question: 'q',
          model: 'http://127.0.0.1:9/v1',
        },
        io,
      ),
    ).rejects.toThrow(/No model server at http:\/\/127\.0\.0\.1:9/);
  });
});
