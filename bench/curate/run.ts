/**
 * Curation speed (issue 15): the rollout stages keep the model server busy, and resume is cheap.
 *
 *   npx tsx bench/curate/run.ts [--parts throughput,tool-benefit,resume] [--items 400] [--k 8]
 *     [--concurrency 32] [--latency 200] [--server process|inline] [--tool-items 400] [--code-every 32]
 *     [--session-open lazy|eager] [--resume-items 10000] [--repeats 3]
 *
 * 1. throughput: the difficulty stage (k rollouts without tools per item) through the production model
 *    path (OpenAIChatModel over real HTTP, CachedChatModel on SQLite, the reward scorer) against a
 *    SCRIPTED OpenAI-compatible server on 127.0.0.1 that answers every call after `--latency` ms, in its
 *    own process (`--server inline`: in this process, sharing its event loop and CPU).
 *    Ideal rollouts/s = concurrency / latency; the ratio is measured / ideal (target ≥ 0.90). Medians.
 * 2. tool-benefit: the same with tools (the full agent, a real local sandbox): the scripted model answers
 *    at once, except for items whose picture number is a multiple of `--code-every`, whose first call
 *    writes a code cell run in the sandbox. Ideal = concurrency / (latency × model calls per rollout).
 *    Sessions open lazily (at the first code call) as the curate stages do; `--session-open eager`
 *    shows the old behaviour (a session per rollout). Each run starts with the warm pool full (the state a
 *    long curate run is in) and prints where the slots' time went: in rollouts, before the first and after
 *    the last (a short run's ramp and tail), and between rollouts (the stage's own work).
 *    Defaults are the stage's (k = 8, the paper's) over 3,200 rollouts a run, ~20 s: long enough that
 *    the ramp and tail are under 1 % of the slot-time.
 * 3. resume: a difficulty stage over `--resume-items` items run to the end (instant scripted model),
 *    then (a) the same stage run again (finished: skipped) and (b) run again after a "kill" that left
 *    every rollout stored but no item decided (the worst resume: read all rollouts, decide all items).
 *    Target < 10 s. Medians.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CurationItem, StageName } from '../../src/curate/curation-item.js';
import type { StageContext } from '../../src/curate/pipeline/stage-context.js';
import { runDifficulty } from '../../src/curate/rollout/difficulty-stage.js';
import { agentRollouts } from '../../src/curate/rollout/rollout-runner.js';
import { runToolBenefit } from '../../src/curate/rollout/tool-benefit-stage.js';
import { CachedChatModel } from '../../src/curate/store/cached-chat-model.js';
import { CurationStore } from '../../src/curate/store/curation-store.js';
import { ImageStore } from '../../src/curate/store/image-store.js';
import { patternImage } from '../../src/curate/testing/make-curation-sample.js';
import { OpenAIChatModel } from '../../src/model/openai-chat-model.js';
import { ScriptedChatModel } from '../../src/model/scripted-chat-model.js';
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { createRewardScorer } from '../../src/reward/index.js';
import { createLocalSandbox, type KernelSandbox } from '../../src/sandbox/kernel-sandbox.js';
import { processTreeCpuMs, sandboxZygotePids } from '../eval/process-cpu.js';

const { values } = parseArgs({
  options: {
    parts: { type: 'string', default: 'throughput,tool-benefit,resume' },
    items: { type: 'string', default: '400' },
    k: { type: 'string', default: '8' },
    concurrency: { type: 'string', default: '32' },
    latency: { type: 'string', default: '200' },
    server: { type: 'string', default: 'process' },
    'tool-items': { type: 'string', default: '400' },
    'code-every': { type: 'string', default: '32' },
    'session-open': { type: 'string', default: 'lazy' },
    'pool-size': { type: 'string', default: '8' },
    'resume-items': { type: 'string', default: '10000' },
    repeats: { type: 'string', default: '3' },
  },
});
const parts = new Set(values.parts.split(','));
const items = Number(values.items);
const k = Number(values.k);
const concurrency = Number(values.concurrency);
const latencyMs = Number(values.latency);
const toolItems = Number(values['tool-items']);
const codeEvery = Number(values['code-every']);
const sessionOpen = values['session-open'] === 'eager' ? 'eager' : 'lazy';
const resumeItems = Number(values['resume-items']);
const repeats = Number(values.repeats);

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
console.log(
  `start ${new Date().toISOString()}, ${availableParallelism()} cores, load average (1/5/15 min) ${load()}; ` +
    `scripted server ${values.server === 'inline' ? 'in this process' : 'in its own process'}`,
);

const root = await mkdtemp(join(tmpdir(), 'bench-curate-'));
const REPLY = '<think>hm</think>\n<answer>no idea</answer>';

/**
 * A store whose `stage` holds `count` kept items (picture i asks about i), each with its own
 * 96×96 picture, or all sharing one (`shared`, for the resume part, which reads no image).
 */
async function storeWithItems(
  directory: string,
  count: number,
  stage: StageName = 'clean',
  shared = false,
): Promise<StageContext & { store: CurationStore }> {
  const store = new CurationStore(directory);
  const images = new ImageStore(store);
  const pictures = shared
    ? [await images.put(await patternImage(1))]
    : await Promise.all(
        Array.from({ length: count }, async (_, index) => images.put(await patternImage(index + 1))),
      );
  const rows = Array.from({ length: count }, (_, index) => {
    const image = pictures[shared ? 0 : index]!;
    const item: CurationItem = {
      id: `i${index}`,
      source: 'bench',
      category: 'perception',
      answerType: 'number',
      question: `What is the code of picture ${index}?`,
      answer: String(100 + index),
      images: [image],
      origin: { file: 'bench.jsonl', row: index + 1 },
    };
    return { id: item.id, position: index, status: 'kept' as const, reason: null, detail: null, data: item };
  });
  for (const name of stage === 'difficulty' ? (['clean', 'difficulty'] as const) : (['clean'] as const)) {
    store.beginStage(name, {});
    store.putStageItems(name, rows);
    store.finishStage(name);
  }
  return { store, images, concurrency };
}

const settings = (count: number) => ({
  k: count,
  temperature: 1,
  seed: 0,
  judge: null,
  maxAttempts: 1,
  agent: {},
});
const scorer = createRewardScorer();

/** The scripted server: its URL, its process (none when inline) and how to stop it. */
async function startServer(
  codeEveryN: number,
): Promise<{ url: string; pid?: number; close(): Promise<void> }> {
  if (values.server === 'inline') {
    if (codeEveryN > 0) throw new Error('--server inline scripts the difficulty stage only');
    const server = await startFakeOpenAIServer({ latencyMs, reply: () => REPLY });
    return { url: server.url, close: () => server.close() };
  }
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'scripted-model-process.ts'),
      String(latencyMs),
      String(codeEveryN),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim().split('\n')[0]!));
    child.once('exit', (code) => reject(new Error(`the scripted model server exited with ${code}`)));
  });
  return {
    url,
    pid: child.pid!,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/**
 * Three waves of `concurrency` calls before timing: a real model server is already warm, and the
 * scripted one's first calls (its JIT, this process's first connections) take ~0.5 s each.
 */
async function warmUp(url: string): Promise<void> {
  const model = new OpenAIChatModel({ baseUrls: [url], model: 'fake-model' });
  for (let wave = 0; wave < 3; wave++)
    await Promise.all(
      Array.from({ length: concurrency }, (_, index) =>
        model.complete({ messages: [{ role: 'user', content: `warm-up ${wave}/${index}` }], maxTokens: 8 }),
      ),
    );
}

/** The host's CPU counters (/proc/stat): steal is time this VM's vCPUs waited for the host. */
function cpuTicks(): { steal: number; total: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { steal: fields[7] ?? 0, total: fields.reduce((sum, value) => sum + value, 0) };
}
const stealSince = (before: { steal: number; total: number }) => {
  const after = cpuTicks();
  const total = after.total - before.total;
  return `host steal ${total > 0 ? (((after.steal - before.steal) / total) * 100).toFixed(1) : '0.0'} %`;
};

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

// 1. difficulty-stage throughput against the scripted server
if (parts.has('throughput')) {
  const server = await startServer(0);
  await warmUp(server.url);
  const ticks = cpuTicks();
  const ideal = concurrency / (latencyMs / 1000);
  const rates: number[] = [];
  const cpuPerRollout: number[] = [];
  const serverCpuPerRollout: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const context = await storeWithItems(join(root, `throughput-${repeat}`), items);
    const model = new CachedChatModel(
      new OpenAIChatModel({ baseUrls: [server.url], model: 'fake-model' }),
      context.store,
    );
    const serverCpuBefore = server.pid ? processTreeCpuMs([server.pid]) : 0;
    const cpuBefore = cpuMs();
    const start = performance.now();
    const outcome = await runDifficulty({ ...settings(k), maxPasses: 2 }, context, {
      runner: agentRollouts({ dependencies: { model }, temperature: 1 }),
      scorer,
    });
    const seconds = (performance.now() - start) / 1000;
    if (!outcome.finished) throw new Error('the throughput run did not finish');
    rates.push((items * k) / seconds);
    cpuPerRollout.push((cpuMs() - cpuBefore) / (items * k));
    if (server.pid)
      serverCpuPerRollout.push((processTreeCpuMs([server.pid]) - serverCpuBefore) / (items * k));
    context.store.close();
  }
  const rate = median(rates);
  console.log(
    `throughput: difficulty stage, ${items} items × k=${k} = ${items * k} rollouts, concurrency ${concurrency}, ` +
      `scripted server ${latencyMs} ms/call: median ${rate.toFixed(1)} rollouts/s (runs ${rates.map((r) => r.toFixed(1)).join(', ')}), ` +
      `ideal ${ideal.toFixed(1)}, ratio ${(rate / ideal).toFixed(3)} (target ≥ 0.90); ` +
      `CPU ms/rollout: pipeline ${median(cpuPerRollout).toFixed(2)}` +
      `${server.pid ? `, model server ${median(serverCpuPerRollout).toFixed(2)}` : ' (server included)'}; ${stealSince(ticks)}; load ${load()}`,
  );
  await server.close();
}

// 2. tool-benefit throughput: the full agent with a real sandbox, most rollouts writing no code
if (parts.has('tool-benefit')) {
  const server = await startServer(codeEvery);
  await warmUp(server.url);
  const ticks = cpuTicks();
  const poolSize = Number(values['pool-size']);
  const sandbox = await createLocalSandbox({ poolSize, maxSessions: 128 });
  const sandboxPids = sandboxZygotePids(process.pid);
  const codeItems = codeEvery > 0 ? Math.ceil(toolItems / codeEvery) : 0;
  const callsPerRollout = (toolItems + codeItems) / toolItems;
  const ideal = concurrency / ((latencyMs / 1000) * callsPerRollout);
  const rates: number[] = [];
  const sessions: number[] = [];
  const sandboxCpu: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const context = await storeWithItems(join(root, `tool-benefit-${repeat}`), toolItems, 'difficulty');
    const model = new CachedChatModel(
      new OpenAIChatModel({ baseUrls: [server.url], model: 'fake-model' }),
      context.store,
    );
    let opened = 0;
    const counting = {
      openSession: (options?: Parameters<typeof sandbox.openSession>[0]) => {
        opened++;
        return sandbox.openSession(options);
      },
      close: async () => undefined,
    };
    // A curate run lasts hours: it spends them with the warm pool full, refilled as code rollouts take
    // kernels. Timing from a cold pool would charge this run with starting all of it (8 kernels, ~2 s
    // of CPU on these 2 cores) in its first seconds.
    await waitForWarmPool(sandbox, poolSize);
    const sandboxCpuBefore = processTreeCpuMs(sandboxPids);
    const start = performance.now();
    const runner = agentRollouts({
      dependencies: { model, sandbox: counting },
      agent: { sessionOpen },
      temperature: 1,
    });
    const spans: { start: number; end: number; code: boolean }[] = [];
    const timed: typeof runner = {
      name: runner.name,
      ...(runner.prepare ? { prepare: runner.prepare } : {}),
      run: async (input, signal) => {
        const begin = performance.now();
        const run = await runner.run(input, signal);
        spans.push({
          start: begin - start,
          end: performance.now() - start,
          code: run.trajectory.turns.length > 1,
        });
        return run;
      },
    };
    const outcome = await runToolBenefit({ ...settings(k), minPassesForRl: 1 }, context, {
      runner: timed,
      scorer,
    });
    console.log(`  run ${repeat + 1}: ${describeSpans(spans, performance.now() - start, concurrency)}`);
    const seconds = (performance.now() - start) / 1000;
    if (!outcome.finished) throw new Error(`the tool-benefit run did not finish: ${JSON.stringify(outcome)}`);
    const codeRollouts = context.store.database
      .prepare("SELECT COUNT(*) FROM rollouts WHERE stage = 'tool-benefit' AND tool_calls > 0")
      .pluck()
      .get() as number;
    if (codeRollouts !== codeItems * k)
      throw new Error(`expected ${codeItems * k} rollouts with code, stored ${codeRollouts}`);
    rates.push((toolItems * k) / seconds);
    sessions.push(opened);
    sandboxCpu.push((processTreeCpuMs(sandboxPids) - sandboxCpuBefore) / (toolItems * k));
    context.store.close();
  }
  const rate = median(rates);
  console.log(
    `tool-benefit: ${toolItems} items × k=${k} = ${toolItems * k} rollouts (${codeItems * k} write one code cell), ` +
      `sessions open ${sessionOpen}, concurrency ${concurrency}, scripted server ${latencyMs} ms/call, ` +
      `${callsPerRollout.toFixed(3)} calls/rollout: median ${rate.toFixed(1)} rollouts/s ` +
      `(runs ${rates.map((r) => r.toFixed(1)).join(', ')}), ideal ${ideal.toFixed(1)}, ratio ${(rate / ideal).toFixed(3)} ` +
      `(target ≥ 0.90); sandbox sessions per run ${median(sessions)}, sandbox CPU ms/rollout ${median(sandboxCpu).toFixed(1)}; ${stealSince(ticks)}; load ${load()}`,
  );
  await sandbox.close();
  await server.close();
}

// 3. resume over 10,000 items
if (parts.has('resume')) {
  const context = await storeWithItems(join(root, 'resume'), resumeItems, 'clean', true);
  const runner = agentRollouts({
    dependencies: { model: new ScriptedChatModel(() => REPLY) },
    temperature: 1,
  });
  const resumeSettings = { ...settings(1), maxPasses: 2 };
  const setupStart = performance.now();
  const full = await runDifficulty(resumeSettings, context, { runner, scorer });
  if (!full.finished) throw new Error('the resume setup run did not finish');
  console.log(
    `resume setup: ${resumeItems} items × k=1 run to the end in ${((performance.now() - setupStart) / 1000).toFixed(1)} s (scripted model, instant)`,
  );
  const finishedRuns: number[] = [];
  const undecidedRuns: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    let start = performance.now();
    const again = await runDifficulty(resumeSettings, context, { runner, scorer });
    finishedRuns.push((performance.now() - start) / 1000);
    if (!again.finished || again.workDone !== 0) throw new Error('a finished stage did work again');
    // The worst kill: every rollout stored, no item decided, the stage not marked finished.
    context.store.database
      .prepare("UPDATE stage_runs SET finished_at = NULL WHERE stage = 'difficulty'")
      .run();
    context.store.database.prepare("DELETE FROM stage_items WHERE stage = 'difficulty'").run();
    start = performance.now();
    const resumed = await runDifficulty(resumeSettings, context, { runner, scorer });
    undecidedRuns.push((performance.now() - start) / 1000);
    if (!resumed.finished || resumed.workDone !== 0 || resumed.kept !== resumeItems)
      throw new Error(`the resume redid work or lost items: ${JSON.stringify(resumed)}`);
  }
  console.log(
    `resume over ${resumeItems} items: finished stage rerun median ${median(finishedRuns).toFixed(3)} s; ` +
      `all rollouts stored, none decided: median ${median(undecidedRuns).toFixed(2)} s ` +
      `(runs ${undecidedRuns.map((s) => s.toFixed(2)).join(', ')}; target < 10 s, ratio ${(median(undecidedRuns) / 10).toFixed(3)} of it); load ${load()}`,
  );
  context.store.close();
}

console.log(`end ${new Date().toISOString()}, load average ${load()}`);
await rm(root, { recursive: true, force: true });

/** Resolves once the sandbox's warm pool holds `size` kernels (limit 60 s). */
async function waitForWarmPool(sandbox: KernelSandbox, size: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (sandbox.getStats().poolReady < size) {
    if (Date.now() > deadline) throw new Error(`the warm pool did not reach ${size} kernels in 60 s`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Where the run's slot-time went: rollouts with and without code, and the tail after the last start. */
function describeSpans(
  spans: { start: number; end: number; code: boolean }[],
  wallMs: number,
  slots: number,
) {
  const med = (values: number[]) => (values.length ? median(values).toFixed(0) : '-');
  const plain = spans.filter((span) => !span.code).map((span) => span.end - span.start);
  const code = spans.filter((span) => span.code).map((span) => span.end - span.start);
  const busy = spans.reduce((sum, span) => sum + span.end - span.start, 0);
  const firstStart = Math.min(...spans.map((span) => span.start));
  // Each slot is idle before its first rollout and after its last: the 32 earliest starts and latest ends.
  const starts = spans
    .map((span) => span.start)
    .sort((a, b) => a - b)
    .slice(0, slots);
  const ends = spans
    .map((span) => span.end)
    .sort((a, b) => b - a)
    .slice(0, slots);
  const edges = starts.reduce((sum, t) => sum + t, 0) + ends.reduce((sum, t) => sum + (wallMs - t), 0);
  const between = slots * wallMs - busy - edges;
  const share = (ms: number) => `${((100 * ms) / (slots * wallMs)).toFixed(1)} %`;
  return (
    `${(wallMs / 1000).toFixed(2)} s; rollout ms median: no code ${med(plain)}, code ${med(code)} ` +
    `(sum ${(code.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} slot-s); slot-time in rollouts ${share(busy)}, ` +
    `before the first/after the last ${share(edges)} (first start ${firstStart.toFixed(0)} ms), between rollouts ${share(between)}`
  );
}
