/**
 * Evaluation throughput: the runner (store writes, scoring, trajectory files) driving items whose
 * every turn is a real HTTP call to a fake OpenAI-compatible server with a fixed latency. Reports
 * items/s at each concurrency against the ideal concurrency ÷ (turns × latency).
 *
 *   npx tsx bench/eval/run.ts [--latency-ms 200] [--turns 3] [--seconds 6]
 *
 * The lead swaps `createBenchRunItem` for the real agent + sandbox to find where the sandbox saturates.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { runAgent } from '../../src/agent/run-agent.js';
import { writeTrajectory } from '../../src/agent/write-trajectory.js';
import { runEvaluation } from '../../src/eval/runner/run-evaluation.js';
import type { RunItem } from '../../src/eval/runner/run-item.js';
import { RunStore } from '../../src/eval/runner/run-store.js';
import { createScorer } from '../../src/eval/scoring/create-scorer.js';
import { createToolFreeRunItem } from '../../src/eval/testing/replay-run-item.js';
import { scriptedTrajectory, syntheticItems } from '../../src/eval/testing/scripted-trajectory.js';
import type { ChatModel } from '../../src/model/chat-model.js';
import { OpenAIChatModel } from '../../src/model/openai-chat-model.js';
import { createLocalSandbox } from '../../src/sandbox/kernel-sandbox.js';
import { processTreeCpuMs, sandboxZygotePids } from './process-cpu.js';

const { values } = parseArgs({
  options: {
    'latency-ms': { type: 'string', default: '200' },
    turns: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '6' },
    concurrency: { type: 'string', default: '1,8,32' },
    /** Run items with the real agent: every code turn executes in the sandbox (isolated kernels). */
    agent: { type: 'boolean', default: false },
    /** Kernels the sandbox keeps warm (`--agent`). */
    'pool-size': { type: 'string', default: '8' },
  },
});
const latencyMs = Number(values['latency-ms']);
const turns = Number(values.turns);
const targetSeconds = Number(values.seconds);

const loadAtStart = loadavg()[0]!;
const sandbox = values.agent
  ? await createLocalSandbox({ poolSize: Number(values['pool-size']), maxSessions: 128 })
  : undefined;
const itemImage = new Uint8Array(
  await sharp({ create: { width: 640, height: 480, channels: 3, background: '#4a7' } })
    .png()
    .toBuffer(),
);

/**
 * The item runner under test. Default: the evaluation pipeline with tool calls recorded but not run
 * (what the runner itself costs). `--agent`: the real agent, each code turn executed in a sandbox
 * session, so the sandbox's saturation shows.
 */
function createBenchRunItem(model: ChatModel): RunItem {
  if (!sandbox) return createToolFreeRunItem(model, { maxTurns: turns });
  return async (item, { signal, outDir }) => {
    const run = await runAgent(
      { id: item.id, question: item.prompt, images: [itemImage] },
      { model, sandbox },
      { maxTurns: turns },
      { signal },
    );
    if (run.trajectory.stopReason !== 'answer')
      throw new Error(`item ${item.id} stopped: ${run.trajectory.stopReason} ${run.trajectory.error ?? ''}`);
    await writeTrajectory(outDir, run.trajectory, run.files);
    return run.trajectory;
  };
}

const serverProcess = spawn(
  process.execPath,
  ['--import', 'tsx', join(import.meta.dirname, 'fake-model-process.ts'), String(latencyMs), String(turns)],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const serverUrl = await new Promise<string>((resolve, reject) => {
  serverProcess.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim().split('\n')[0]!));
  serverProcess.once('exit', (code) => reject(new Error(`fake model server exited with ${code}`)));
});
const model = new OpenAIChatModel({ baseUrls: [serverUrl], model: 'fake-model' });
const itemMs = turns * latencyMs;
const rows: {
  concurrency: number;
  items: number;
  seconds: number;
  itemsPerSecond: number;
  ideal: number;
  ratio: number;
  cpuMsPerItem: number;
  sandboxCpuMsPerItem: number | undefined;
  modelServerCpuMsPerItem: number;
  /** 1-minute load average when this concurrency started (the run's own processes add to it). */
  loadBefore: number;
}[] = [];
const sandboxPids = sandbox ? sandboxZygotePids(process.pid) : [];

for (const concurrency of values.concurrency.split(',').map(Number)) {
  const count = Math.max(concurrency * 2, Math.round((targetSeconds * 1000 * concurrency) / itemMs));
  const { directory, store } = await openScratchStore(serverUrl);
  const loadBefore = loadavg()[0]!;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const sandboxCpuBefore = processTreeCpuMs(sandboxPids);
  const modelServerCpuBefore = processTreeCpuMs([serverProcess.pid ?? 0]);
  const summary = await runEvaluation({
    items: syntheticItems(count, 'custom'),
    store,
    runDirectory: directory,
    runItem: createBenchRunItem(model),
    scorer: createScorer(),
    concurrency,
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPerItem = (cpu.user + cpu.system) / 1000 / count;
  // Kernels are counted once reaped (each item closes its session, so all are by now).
  const sandboxCpuMsPerItem = sandbox
    ? (processTreeCpuMs(sandboxPids) - sandboxCpuBefore) / count
    : undefined;
  const modelServerCpuMsPerItem = (processTreeCpuMs([serverProcess.pid ?? 0]) - modelServerCpuBefore) / count;
  store.close();
  await rm(directory, { recursive: true, force: true });
  if (summary.errors > 0) throw new Error(`${summary.errors} items failed at concurrency ${concurrency}`);
  const itemsPerSecond = count / seconds;
  const ideal = concurrency / (itemMs / 1000);
  rows.push({
    concurrency,
    items: count,
    seconds,
    itemsPerSecond,
    ideal,
    ratio: itemsPerSecond / ideal,
    cpuMsPerItem,
    sandboxCpuMsPerItem,
    modelServerCpuMsPerItem,
    loadBefore,
  });
}
serverProcess.kill();
await sandbox?.close();

/** A fresh run store in a temporary directory, for synthetic items served by `model`. */
async function openScratchStore(model: string): Promise<{ directory: string; store: RunStore }> {
  const directory = await mkdtemp(join(tmpdir(), 'deepeyes-bench-eval-'));
  const store = RunStore.open(
    directory,
    {
      benchmark: 'custom',
      dataPath: 'synthetic',
      models: [model],
      mode: 'agent',
      seed: 0,
      shuffleOptions: false,
      judge: null,
      extra: {},
    },
    { resume: false },
  );
  return { directory, store };
}

/** The runner alone (store transaction, scoring, tool-mix, trajectory file) with an instant item. */
async function runnerOverhead(count: number): Promise<number> {
  const { directory, store } = await openScratchStore('instant');
  const cpuBefore = process.cpuUsage();
  await runEvaluation({
    items: syntheticItems(count, 'custom'),
    store,
    runDirectory: directory,
    concurrency: 8,
    scorer: createScorer(),
    runItem: async (item) =>
      scriptedTrajectory(item, {
        answer: 'answer',
        steps: [{ code: 'image_1.crop((0, 0, 9, 9)).show()' }, { code: 'print(1)' }],
      }),
  });
  const cpu = process.cpuUsage(cpuBefore);
  store.close();
  await rm(directory, { recursive: true, force: true });
  return (cpu.user + cpu.system) / 1000 / count;
}
const overheadMs = await runnerOverhead(1000);

process.stdout.write(
  `eval throughput · ${values.agent ? 'real agent, code runs in the sandbox' : 'tool calls recorded, not run'} · fake model ${latencyMs} ms/call (own process) · ${turns} calls/item · ideal = concurrency ÷ ${itemMs} ms${sandbox ? ` · sandbox pool ${values['pool-size']}` : ''} · load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end, on ${availableParallelism()} cores\n`,
);
process.stdout.write(
  '| concurrency | items | seconds | items/s | ideal items/s | ratio | runner CPU ms/item | sandbox CPU ms/item | model server CPU ms/item | load before |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n',
);
for (const row of rows) {
  process.stdout.write(
    `| ${row.concurrency} | ${row.items} | ${row.seconds.toFixed(2)} | ${row.itemsPerSecond.toFixed(2)} | ${row.ideal.toFixed(2)} | ${(row.ratio * 100).toFixed(1)} % | ${row.cpuMsPerItem.toFixed(2)} | ${row.sandboxCpuMsPerItem?.toFixed(1) ?? '—'} | ${row.modelServerCpuMsPerItem.toFixed(2)} | ${row.loadBefore.toFixed(2)} |\n`,
  );
}
process.stdout.write(
  `runner alone (instant items, store + scoring + trajectory file): ${overheadMs.toFixed(2)} ms CPU/item ≈ ${Math.round(1000 / overheadMs)} items/s per core\n`,
);
