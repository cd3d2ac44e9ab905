/**
 * Fixed time of `deepeyes eval` around its items: start-up (process, imports, model discovery, data
 * loading) before the first item starts, and store closing + report writing after the last ends.
 * Runs the installed command (`node bin/deepeyes.js eval`: built dist/ when fresh, else tsx — it says so
 * on stderr) on 48 items against a fake model server with 200 ms latency, and reads each item's finish
 * time from the run store. `--runs N` repeats and prints medians; `--help-too` also times `deepeyes --help`.
 *   npx tsx bench/eval/fixed-overhead.ts [--items 48] [--latency-ms 200] [--mode direct] [--concurrency 8] [--runs 5]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '48' },
    'latency-ms': { type: 'string', default: '200' },
    mode: { type: 'string', default: 'direct' },
    concurrency: { type: 'string', default: '8' },
    runs: { type: 'string', default: '3' },
  },
});
const server = await startFakeOpenAIServer({
  latencyMs: Number(values['latency-ms']),
  reply: () => '<answer>HELLO</answer>',
});
const directory = await mkdtemp(join(tmpdir(), 'deepeyes-bench-overhead-'));
const png = readFileSync('test/fixtures/benchmarks/jsonl/images/ocr-1.png').toString('base64');
const data = join(directory, 'set.tsv');
const rows = Array.from({ length: Number(values.items) }, (_, row) => `${row}\t${png}\tWhat word?\tHELLO`);
await writeFile(data, ['index\timage\tquestion\tanswer', ...rows].join('\n'));

async function deepeyes(args: string[]): Promise<number | null> {
  const child = spawn(process.execPath, ['bin/deepeyes.js', ...args], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise<number | null>((resolve) => child.on('exit', resolve));
}

type Run = { before: number; items: number; after: number; total: number; help: number; code: number | null };

async function once(run: number): Promise<Run> {
  const out = join(directory, `run-${run}`);
  const helpStarted = Date.now();
  await deepeyes(['--help']);
  const help = Date.now() - helpStarted;
  const started = Date.now();
  const code = await deepeyes([
    'eval',
    '--bench',
    'custom',
    '--data',
    data,
    '--model',
    server.url,
    '--mode',
    values.mode,
    '--out',
    out,
    '--concurrency',
    values.concurrency,
  ]);
  const ended = Date.now();
  const database = new Database(join(out, 'run.sqlite'), { readonly: true });
  const finished = (
    database.prepare('SELECT finished_at, result FROM items').all() as {
      finished_at: string;
      result: string;
    }[]
  ).map((row) => ({
    at: Date.parse(row.finished_at),
    durationMs: (JSON.parse(row.result) as { durationMs: number }).durationMs,
  }));
  database.close();
  const firstStart = Math.min(...finished.map((item) => item.at - item.durationMs));
  const lastEnd = Math.max(...finished.map((item) => item.at));
  return {
    before: firstStart - started,
    items: lastEnd - firstStart,
    after: ended - lastEnd,
    total: ended - started,
    help,
    code,
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const results: Run[] = [];
const loadBefore = loadavg()[0] ?? 0;
for (let run = 0; run < Number(values.runs); run += 1) results.push(await once(run));
const pick = (key: keyof Omit<Run, 'code'>) => median(results.map((run) => run[key]));
process.stdout.write(
  `deepeyes eval · ${values.items} items · mode ${values.mode} · concurrency ${values.concurrency} · fake model ${values['latency-ms']} ms · ${results.length} runs (medians) · exit ${results.map((r) => r.code).join(',')}\n` +
    `  load average (1 min) ${loadBefore.toFixed(2)} before, ${(loadavg()[0] ?? 0).toFixed(2)} after · ${availableParallelism()} cores\n` +
    `  deepeyes --help: ${seconds(pick('help'))}\n` +
    `  before the first item: ${seconds(pick('before'))}\n` +
    `  items: ${seconds(pick('items'))}\n` +
    `  after the last item (store, report): ${seconds(pick('after'))}\n` +
    `  fixed total: ${seconds(median(results.map((run) => run.before + run.after)))} of ${seconds(pick('total'))}\n`,
);
await server.close();
await rm(directory, { recursive: true, force: true });
