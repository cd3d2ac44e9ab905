#!/usr/bin/env node
/**
 * A stand-in for `vllm serve PATH --port PORT` in tests: a SCRIPTED model, not a real one. It
 * serves `GET /v1/models` (the checkpoint path as the model id, like vLLM) and
 * `POST /v1/chat/completions`, answering the OCRBench test sample's questions correctly for the
 * first step/100 of them and wrongly for the rest, so accuracy rises with the checkpoint's step.
 * Like vLLM it starts a worker process; a path containing "broken" exits at once with an error, one
 * containing "hang" lists its model but never answers a chat request.
 * Usage: node fake-vllm-serve.mjs PATH --port PORT
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';

const [path = '', , portText = ''] = process.argv.slice(2);
const port = Number(portText);
if (path.includes('broken')) {
  console.error(`ValueError: no model weights found in ${path}`);
  process.exit(1);
}
const step = Number(/(?:global_step_|checkpoint-)(\d+)/.exec(path)?.[1] ?? 0);
const ANSWERS = [
  ['What word is written in the image?', 'HELLO'],
  ['What number is printed?', '42'],
  ['What is the caption under the circle?', 'sun'],
];
// A worker like vLLM's engine core: it must die with the server's process group.
spawn('sleep', ['300'], { stdio: 'ignore' });

function reply(body) {
  const text = JSON.stringify(body.messages ?? []);
  const index = ANSWERS.findIndex(([question]) => text.includes(question));
  const right = index >= 0 && index < Math.floor(step / 100);
  return `<answer>${right ? ANSWERS[index][1] : 'banana'}</answer>`;
}

const server = createServer((request, response) => {
  const send = (status, body) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (request.method === 'GET' && request.url === '/v1/models')
    return send(200, { object: 'list', data: [{ id: path, object: 'model', owned_by: 'scripted' }] });
  if (request.method !== 'POST' || request.url !== '/v1/chat/completions')
    return send(404, { error: { message: 'not found' } });
  if (path.includes('hang')) return;
  let raw = '';
  request.on('data', (chunk) => {
    raw += chunk;
  });
  request.on('end', () => {
    const body = JSON.parse(raw);
    const content = reply(body);
    send(200, {
      id: 'chatcmpl-scripted',
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: path,
      choices: [
        { index: 0, message: { role: 'assistant', content }, finish_reason: 'stop', stop_reason: null },
      ],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
  });
});
console.log(`INFO: scripted model for ${path} (step ${step}) starting`);
// Like vLLM, it takes a moment before /v1/models answers.
setTimeout(() => server.listen(port, '127.0.0.1', () => console.log(`INFO: listening on ${port}`)), 300);
