/**
 * The agent loop's own cost per turn, with the model and the tools made instant so only the loop is
 * left: parsing, observation rendering, message building, events, the trajectory record.
 *
 *   npx tsx bench/agent-overhead/run.ts [--trajectories 200]
 *
 * Two model doubles: a scripted model (the loop alone) and the real OpenAI-compatible client over an
 * in-process fetch that answers at once (adds message conversion and the JSON body with the image's
 * data URI on every turn). The sandbox double answers instantly with one small PNG per call.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { runAgent } from '../../src/agent/run-agent.js';
import type { ChatModel } from '../../src/model/chat-model.js';
import { OpenAIChatModel } from '../../src/model/openai-chat-model.js';
import { ScriptedChatModel } from '../../src/model/scripted-chat-model.js';
import type { Execution, Sandbox, SandboxSession } from '../../src/sandbox/sandbox.js';

const { values } = parseArgs({ options: { trajectories: { type: 'string', default: '200' } } });
const trajectories = Number(values.trajectories);
const TURNS = 9;

const codeTurn =
  '<think>Zoom in.</think>\n<code>\n```python\ncrop = image_1.crop((0, 0, 100, 100))\nplt.imshow(crop)\nplt.show()\n```\n</code>';
const answerTurn = '<think>Done.</think>\n<answer>47</answer>';
const script = (turn: number) => (turn < TURNS - 1 ? codeTurn : answerTurn);

const smallPng = new Uint8Array(
  await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
    .png()
    .toBuffer(),
);
const instantSandbox: Sandbox = {
  async openSession(): Promise<SandboxSession> {
    return {
      id: 'instant',
      async execute(): Promise<Execution> {
        return {
          stdout: '(100, 100)\n',
          stderr: '',
          images: [smallPng],
          status: 'ok',
          executionCount: 1,
          durationMs: 0,
          truncated: false,
        };
      },
      async close() {},
    };
  },
  async close() {},
};

function instantFetch(): typeof fetch {
  return async (_url, init) => {
    const body = JSON.parse(String(init?.body)) as { messages: { role: string }[] };
    const turn = body.messages.filter((message) => message.role === 'assistant').length;
    const reply = {
      id: 'x',
      object: 'chat.completion',
      created: 0,
      model: 'instant',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: script(turn) },
          finish_reason: 'stop',
          stop_reason: turn < TURNS - 1 ? '</code>' : null,
        },
      ],
      usage: { prompt_tokens: 1000, completion_tokens: 40, total_tokens: 1040 },
    };
    return new Response(JSON.stringify(reply), {
      status: 200,
      headers: { 'content-type': 'application/json' },
    });
  };
}

const image = new Uint8Array(await readFile('assets/demo/images/loading-bay.png'));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function measure(
  label: string,
  makeModel: () => ChatModel,
): Promise<{ label: string; p50: number; p95: number; clientP50: number }> {
  const perTurn: number[] = [];
  const clientMs: number[] = [];
  for (let index = 0; index < trajectories + 10; index++) {
    const model = makeModel();
    let firstTurnAt = 0;
    let endAt = 0;
    const run = await runAgent(
      { question: 'What number is on the tag?', images: [image] },
      { model, sandbox: instantSandbox },
      { maxTurns: TURNS },
      {
        onEvent: (event) => {
          if (event.type === 'turn-start' && event.turn === 0) firstTurnAt = performance.now();
          if (event.type === 'run-end') endAt = performance.now();
        },
      },
    );
    const turns = run.trajectory.turns;
    if (run.trajectory.answer !== '47' || turns.length !== TURNS)
      throw new Error(`unexpected run: ${run.trajectory.stopReason}`);
    // From the first turn to the end: input-image preparation happens once per trajectory, before
    // the first turn, and is reported separately below.
    const loopMs = endAt - firstTurnAt - turns.reduce((sum, turn) => sum + turn.modelMs + turn.toolMs, 0);
    if (index >= 10) {
      // the first runs warm up the JIT
      perTurn.push(loopMs / TURNS);
      clientMs.push(...turns.map((turn) => turn.modelMs));
    }
  }
  perTurn.sort((a, b) => a - b);
  clientMs.sort((a, b) => a - b);
  return {
    label,
    p50: percentile(perTurn, 50),
    p95: percentile(perTurn, 95),
    clientP50: percentile(clientMs, 50),
  };
}

const results = [
  await measure('scripted model (loop only)', () => new ScriptedChatModel((_request, call) => script(call))),
  await measure(
    'OpenAI client, instant fetch',
    () =>
      new OpenAIChatModel({ baseUrls: ['http://bench.invalid/v1'], model: 'instant', fetch: instantFetch() }),
  ),
];

// What stays outside the per-turn figure: preparing the input image once per trajectory.
const prepareTimes: number[] = [];
for (let index = 0; index < 20; index++) {
  const start = performance.now();
  await runAgent(
    { question: 'q', images: [image] },
    { model: new ScriptedChatModel([answerTurn]), sandbox: instantSandbox },
    {},
  );
  prepareTimes.push(performance.now() - start);
}
prepareTimes.sort((a, b) => a - b);

console.log(
  `agent loop overhead per turn (${trajectories} trajectories × ${TURNS} turns, 1596×1008 input image, model and tool time excluded)`,
);
for (const result of results) {
  console.log(
    `  ${result.label.padEnd(32)} p50 ${result.p50.toFixed(3)} ms   p95 ${result.p95.toFixed(3)} ms   target ≤ 5 ms: ${result.p50 <= 5 ? 'met' : 'MISSED'} (${(5 / result.p50).toFixed(0)}× under); model call with an instant server ${result.clientP50.toFixed(2)} ms`,
  );
}
console.log(
  `  one-turn trajectory incl. input image resize+encode once: p50 ${percentile(prepareTimes, 50).toFixed(1)} ms`,
);
