/**
 * The fake model server in its own process (a real model server is never in the runner's process):
 * prints its URL on the first stdout line and serves until killed.
 *   node --import tsx bench/eval/fake-model-process.ts <latencyMs> <turns>
 */
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';

const latencyMs = Number(process.argv[2] ?? 200);
const turns = Number(process.argv[3] ?? 3);

/** One model call per turn: code calls, then an answer on the last turn. */
function scriptedReply(assistantTurns: number): string {
  if (assistantTurns + 1 < turns) {
    return '<think>Look closer.</think>\n<code>\n```python\ncrop = image_1.crop((0, 0, 10, 10))\ncrop.show()\n```\n</code>';
  }
  return '<think>Done.</think>\n<answer>answer</answer>';
}

const server = await startFakeOpenAIServer({
  latencyMs,
  reply: (request) =>
    scriptedReply(request.messages.filter((message) => message.role === 'assistant').length),
});
process.stdout.write(`${server.url}\n`);
