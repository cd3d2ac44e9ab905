/**
 * Fixed time of `deepeyes eval` around its items: start-up (process, imports, model discovery, data
 * loading) before the first item starts, and store closing + report writing after the last ends.
 * Runs the real CLI (`node --import tsx src/cli/entry.ts eval`) on 48 items against a fake model
 * server with 200 ms latency, and reads each item's finish time from the run store.
 *   npx tsx bench/eval/fixed-overhead.ts [--items 48] [--latency-ms 200] [--mode direct] [--concurrency 8]
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
const out = join(directory, 'run');
const started = Date.now();
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    'src/cli/entry.ts',
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
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
const ended = Date.now();
const database = new Database(join(out, 'run.sqlite'), { readonly: true });
const finished = (
  database.prepare('SELECT finished_at, result FROM items').all() as { finished_at: string; result: string }[]
).map((row) => ({
  at: Date.parse(row.finished_at),
  durationMs: (JSON.parse(row.result) as { durationMs: number }).durationMs,
}));
database.close();
const firstStart = Math.min(...finished.map((item) => item.at - item.durationMs));
const lastEnd = Math.max(...finished.map((item) => item.at));
process.stdout.write(
  `deepeyes eval · ${finished.length} items · mode ${values.mode} · concurrency ${values.concurrency} · fake model ${values['latency-ms']} ms · exit ${code}\n` +
    `  before the first item: ${((firstStart - started) / 1000).toFixed(2)} s\n` +
    `  items: ${((lastEnd - firstStart) / 1000).toFixed(2)} s\n` +
    `  after the last item (store, report): ${((ended - lastEnd) / 1000).toFixed(2)} s\n` +
    `  fixed total: ${((firstStart - started + ended - lastEnd) / 1000).toFixed(2)} s of ${((ended - started) / 1000).toFixed(2)} s\n`,
);
await server.close();
await rm(directory, { recursive: true, force: true });
