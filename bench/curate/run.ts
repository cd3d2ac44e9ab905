/**
 * Curation speed (issue 15): the rollout stages keep the model server busy, and resume is cheap.
 *
 *   npx tsx bench/curate/run.ts [--items 320] [--k 2] [--concurrency 32] [--latency 200] [--resume-items 10000] [--repeats 3]
 *
 * 1. throughput: the difficulty stage (k rollouts without tools per item) through the production model
 *    path (OpenAIChatModel over real HTTP, CachedChatModel on SQLite, the reward scorer) against a
 *    SCRIPTED OpenAI-compatible server on 127.0.0.1 that answers every call after `--latency` ms.
 *    Ideal rollouts/s = concurrency / latency; the ratio is measured / ideal (target ≥ 0.90). Medians.
 * 2. resume: a difficulty stage over `--resume-items` items run to the end (instant scripted model),
 *    then (a) the same stage run again (finished: skipped) and (b) run again after a "kill" that left
 *    every rollout stored but no item decided (the worst resume: read all rollouts, decide all items).
 *    Target < 10 s. Medians.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { CurationItem } from '../../src/curate/curation-item.js';
import type { StageContext } from '../../src/curate/pipeline/stage-context.js';
import { runDifficulty } from '../../src/curate/rollout/difficulty-stage.js';
import { agentRollouts } from '../../src/curate/rollout/rollout-runner.js';
import { CachedChatModel } from '../../src/curate/store/cached-chat-model.js';
import { CurationStore } from '../../src/curate/store/curation-store.js';
import { ImageStore } from '../../src/curate/store/image-store.js';
import { patternImage } from '../../src/curate/testing/make-curation-sample.js';
import { OpenAIChatModel } from '../../src/model/openai-chat-model.js';
import { ScriptedChatModel } from '../../src/model/scripted-chat-model.js';
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { createRewardScorer } from '../../src/reward/index.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '320' },
    k: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '32' },
    latency: { type: 'string', default: '200' },
    'resume-items': { type: 'string', default: '10000' },
    repeats: { type: 'string', default: '3' },
  },
});
const items = Number(values.items);
const k = Number(values.k);
const concurrency = Number(values.concurrency);
const latencyMs = Number(values.latency);
const resumeItems = Number(values['resume-items']);
const repeats = Number(values.repeats);

const median = (list: number[]) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? Number.NaN;
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');
console.log(`start ${new Date().toISOString()}, load average (1/5/15 min) ${load()}`);

const root = await mkdtemp(join(tmpdir(), 'bench-curate-'));
const REPLY = '<think>hm</think>\n<answer>no idea</answer>';

/** A store whose clean stage holds `count` kept items sharing one image. */
async function cleanStore(
  directory: string,
  count: number,
): Promise<StageContext & { store: CurationStore }> {
  const store = new CurationStore(directory);
  const images = new ImageStore(store);
  const image = await images.put(await patternImage(1));
  store.beginStage('clean', {});
  const rows = Array.from({ length: count }, (_, index) => {
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
  store.putStageItems('clean', rows);
  store.finishStage('clean');
  return { store, images, concurrency };
}

const settings = (count: number) => ({
  k: count,
  temperature: 1,
  seed: 0,
  judge: null,
  maxAttempts: 1,
  agent: {},
  maxPasses: 2,
});
const scorer = createRewardScorer();

// 1. throughput against the scripted server
{
  const server = await startFakeOpenAIServer({ latencyMs, reply: () => REPLY });
  const ideal = concurrency / (latencyMs / 1000);
  const rates: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const context = await cleanStore(join(root, `throughput-${repeat}`), items);
    const model = new CachedChatModel(
      new OpenAIChatModel({ baseUrls: [server.url], model: 'fake-model' }),
      context.store,
    );
    const start = performance.now();
    const outcome = await runDifficulty(settings(k), context, {
      runner: agentRollouts({ dependencies: { model }, temperature: 1 }),
      scorer,
    });
    const seconds = (performance.now() - start) / 1000;
    if (!outcome.finished) throw new Error('the throughput run did not finish');
    rates.push((items * k) / seconds);
    context.store.close();
  }
  const rate = median(rates);
  console.log(
    `throughput: difficulty stage, ${items} items × k=${k} = ${items * k} rollouts, concurrency ${concurrency}, ` +
      `scripted server ${latencyMs} ms/call: median ${rate.toFixed(1)} rollouts/s (runs ${rates.map((r) => r.toFixed(1)).join(', ')}), ` +
      `ideal ${ideal.toFixed(1)}, ratio ${(rate / ideal).toFixed(3)} (target ≥ 0.90); load ${load()}`,
  );
  await server.close();
}

// 2. resume over 10,000 items
{
  const context = await cleanStore(join(root, 'resume'), resumeItems);
  const runner = agentRollouts({
    dependencies: { model: new ScriptedChatModel(() => REPLY) },
    temperature: 1,
  });
  const setupStart = performance.now();
  const full = await runDifficulty(settings(1), context, { runner, scorer });
  if (!full.finished) throw new Error('the resume setup run did not finish');
  console.log(
    `resume setup: ${resumeItems} items × k=1 run to the end in ${((performance.now() - setupStart) / 1000).toFixed(1)} s (scripted model, instant)`,
  );
  const finishedRuns: number[] = [];
  const undecidedRuns: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    let start = performance.now();
    const again = await runDifficulty(settings(1), context, { runner, scorer });
    finishedRuns.push((performance.now() - start) / 1000);
    if (!again.finished || again.workDone !== 0) throw new Error('a finished stage did work again');
    // The worst kill: every rollout stored, no item decided, the stage not marked finished.
    context.store.database
      .prepare("UPDATE stage_runs SET finished_at = NULL WHERE stage = 'difficulty'")
      .run();
    context.store.database.prepare("DELETE FROM stage_items WHERE stage = 'difficulty'").run();
    start = performance.now();
    const resumed = await runDifficulty(settings(1), context, { runner, scorer });
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

await rm(root, { recursive: true, force: true });
