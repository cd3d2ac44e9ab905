/**
 * The kernel's shell lane (a Unix socket) against ZeroMQ alone, at the HTTP API: two
 * sandboxes that differ only in `kernelLane`, called in turns by one Python client.
 * Run: npx tsx bench/sandbox/lane.ts   (BENCH_CLIENT_PYTHON picks the client's Python)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createLocalSandbox } from '../../src/sandbox/kernel-sandbox.js';
import { buildSandboxServer } from '../../src/serve/sandbox-server.js';
import { cpuTicks, stealPercent, summarize } from './measure.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);
const CHUNK = 30;
const servers: { name: string; url: string; close: () => Promise<void> }[] = [];
for (const kernelLane of [true, false]) {
  const sandbox = await createLocalSandbox({ poolSize: 0, maxSessions: 2, kernelLane });
  const app = buildSandboxServer(sandbox);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  servers.push({
    name: kernelLane ? 'lane' : 'zeromq',
    url,
    close: async () => {
      await app.close();
      await sandbox.close();
    },
  });
}

const script = fileURLToPath(new URL('./interleaved-client.py', import.meta.url));
const python = process.env.BENCH_CLIENT_PYTHON ?? '/usr/bin/python3';
const ticks = cpuTicks();
const output = await new Promise<string>((resolve, reject) => {
  const args = [script, String(ROUNDS), String(CHUNK), ...servers.map(({ name, url }) => `${name}=${url}`)];
  const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.on('error', reject);
  child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`client exited ${code}`))));
});
const steal = stealPercent(ticks);
const samples = JSON.parse(output) as Record<string, number[]>;
const lane = summarize(samples.lane ?? []);
const zeromq = summarize(samples.zeromq ?? []);
console.log(
  `warm print(1) at POST /jupyter_sandbox, ${lane.n} calls each, turns of ${CHUNK}; CPU steal ${steal.toFixed(1)} %`,
);
console.log(`  lane    p50 ${lane.p50.toFixed(2)} ms  p95 ${lane.p95.toFixed(2)} ms`);
console.log(`  ZeroMQ  p50 ${zeromq.p50.toFixed(2)} ms  p95 ${zeromq.p95.toFixed(2)} ms`);
console.log(`  ratio ZeroMQ / lane, p50 ${(zeromq.p50 / lane.p50).toFixed(2)}×`);
for (const server of servers) await server.close();
