/**
 * Loading a multi-GB VLMEvalKit TSV: time and peak RSS of `deepeyes eval --limit 3` (scripted items,
 * so only loading and image decoding count) and of a full index scan of the same file.
 *   npx tsx bench/eval/big-tsv.ts [--gb 3]
 */
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { evalCommand } from '../../src/cli/commands/eval.js';
import { memoryIO } from '../../src/cli/io.js';
import { scanDataset } from '../../src/eval/datasets/load-dataset.js';
import { scriptedTrajectory } from '../../src/eval/testing/scripted-trajectory.js';

const { values } = parseArgs({ options: { gb: { type: 'string', default: '3' } } });
const bytes = Number(values.gb) * 1024 ** 3;
const directory = await mkdtemp(join(tmpdir(), 'deepeyes-bench-big-tsv-'));
const path = join(directory, 'big.tsv');
const base64 = readFileSync('test/fixtures/benchmarks/jsonl/images/ocr-1.png').toString('base64');
// Rows of ~20 MB of base64 (an HRBench-8K image is 10–30 MB as base64).
const big = Buffer.from(base64.repeat(Math.ceil((20 * 1024 * 1024) / base64.length)));
const stream = createWriteStream(path);
stream.write('index\timage\tquestion\tanswer\n');
let written = 0;
let rows = 0;
for (; written < bytes; rows++) {
  stream.write(`${rows}\t`);
  stream.write(big);
  if (!stream.write('\tWhat word?\tHELLO\n')) await once(stream, 'drain');
  written += big.length + 20;
}
stream.end();
await once(stream, 'finish');

const rssMb = () => process.resourceUsage().maxRSS / 1024;
let started = performance.now();
const result = await evalCommand(
  { bench: 'custom', data: path, replay: path, out: join(directory, 'run'), limit: '3', report: false },
  memoryIO(),
  {
    createRunItem: () => ({
      runItem: async (item) => {
        await item.loadImages();
        return scriptedTrajectory(item, { answer: item.answer, steps: [] });
      },
    }),
  },
);
const limitSeconds = (performance.now() - started) / 1000;
const limitRss = rssMb();
started = performance.now();
const scan = await scanDataset(path);
const scanSeconds = (performance.now() - started) / 1000;
process.stdout.write(
  `big TSV ${(written / 1024 ** 3).toFixed(2)} GB, ${rows} rows of ${(big.length / 1024 ** 2).toFixed(0)} MB base64\n` +
    `  eval --limit 3 (scripted items, images decoded): ${limitSeconds.toFixed(2)} s, ${result.summary.correct}/3 correct, peak RSS ${limitRss.toFixed(0)} MB\n` +
    `  full index scan: ${scanSeconds.toFixed(2)} s (${(written / 1024 ** 2 / scanSeconds).toFixed(0)} MB/s), ${scan.rows.length} rows, peak RSS so far ${rssMb().toFixed(0)} MB\n`,
);
await rm(directory, { recursive: true, force: true });
