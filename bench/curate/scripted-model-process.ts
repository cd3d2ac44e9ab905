/**
 * The scripted model server of the curation bench in its own process, as a real model server is
 * never in the pipeline's process: prints its URL on the first stdout line and serves until killed.
 *
 *   node --import tsx bench/curate/scripted-model-process.ts <latencyMs> <codeEvery>
 *
 * Every call waits `latencyMs`, then answers (the difficulty stage's rollouts, and most tool rollouts).
 * With `codeEvery` N > 0, the first call of a rollout whose question is about picture i with
 * i % N == 0 writes a code cell instead (`image_1.size`), and the rollout answers on its second call.
 */
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';

const latencyMs = Number(process.argv[2] ?? 200);
const codeEvery = Number(process.argv[3] ?? 0);

const ANSWER = '<think>hm</think>\n<answer>no idea</answer>';
const CODE = '<think>Let me measure.</think>\n<code>\n```python\nprint(image_1.size)\n```\n</code>';

const server = await startFakeOpenAIServer({
  latencyMs,
  reply: (request) => {
    if (codeEvery <= 0) return ANSWER;
    const assistantTurns = request.messages.filter((message) => message.role === 'assistant').length;
    if (assistantTurns > 0) return ANSWER;
    const text = JSON.stringify(request.messages.at(-1)?.content ?? '');
    const picture = Number(/picture (\d+)/.exec(text)?.[1] ?? -1);
    return picture >= 0 && picture % codeEvery === 0 ? CODE : ANSWER;
  },
});
// The bench runs thousands of calls: keep no request bodies (each carries an image).
server.requests.length = 0;
setInterval(() => {
  server.requests.length = 0;
}, 1_000).unref();
process.stdout.write(`${server.url}\n`);
