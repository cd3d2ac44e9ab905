/** `deepeyes eval` on data files: a TSV over 1 GB, a changed file under --resume, a run that scores nothing. */
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scriptedTrajectory } from '../../eval/testing/scripted-trajectory.js';
import { memoryIO } from '../io.js';
import { type EvalDependencies, evalCommand } from './eval.js';

const png = readFileSync(
  join(
    import.meta.dirname,
    '..',
    '..',
    '..',
    'test',
    'fixtures',
    'benchmarks',
    'jsonl',
    'images',
    'ocr-1.png',
  ),
);
const base64 = png.toString('base64');
const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});
async function scratch(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'deepeyes-eval-data-'));
  directories.push(directory);
  return directory;
}

/** Answers every item right after checking its images decode (scripted, no model). */
const scripted = (seen: number[]): EvalDependencies => ({
  createRunItem: () => ({
    runItem: async (item) => {
      const images = await item.loadImages();
      seen.push(images[0]!.length);
      return scriptedTrajectory(item, { answer: item.answer, steps: [] });
    },
  }),
});

describe('deepeyes eval on big and changing data files', () => {
  it('runs --limit 3 on a TSV over 1 GB without reading it whole', async () => {
    const directory = await scratch();
    const path = join(directory, 'big.tsv');
    // Three small rows, then rows of ~16 MB of base64 (one image's text repeated) up to 1.1 GB.
    const stream = createWriteStream(path);
    stream.write('index\timage\tquestion\tanswer\n');
    for (let row = 0; row < 3; row++) stream.write(`${row}\t${base64}\tWhat word?\tHELLO\n`);
    // One Buffer of ~16 MB of base64 written again and again: no per-row string building.
    const big = Buffer.from(base64.repeat(Math.ceil((16 * 1024 * 1024) / base64.length)));
    const tail = Buffer.from('\tWhat word?\tHELLO\n');
    let written = 0;
    for (let row = 3; written < 1.1 * 1024 ** 3; row++) {
      stream.write(`${row}\t`);
      stream.write(big);
      if (!stream.write(tail)) await once(stream, 'drain');
      written += big.length + tail.length;
    }
    stream.end();
    await once(stream, 'finish');
    const seen: number[] = [];
    const io = memoryIO();
    const rssBefore = process.memoryUsage().rss;
    const result = await evalCommand(
      {
        bench: 'custom',
        data: path,
        replay: path,
        out: join(directory, 'run'),
        limit: '3',
        concurrency: '2',
        report: false,
      },
      io,
      scripted(seen),
    );
    expect(result.summary).toMatchObject({ total: 3, finished: 3, correct: 3, errors: 0 });
    expect(seen).toEqual([png.length, png.length, png.length]);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 ** 2);
  }, 120_000);

  it('refuses --resume when the data file changed, and a run that scores nothing exits non-zero', async () => {
    const directory = await scratch();
    const path = join(directory, 'set.tsv');
    await writeFile(
      path,
      `index\timage\tquestion\tanswer\n0\t${base64}\tWord?\tHELLO\n1\t${base64}\tWord?\tHELLO\n`,
    );
    const flags = { bench: 'custom', data: path, replay: path, out: join(directory, 'run'), report: false };
    await evalCommand({ ...flags, limit: '1' }, memoryIO(), scripted([]));
    // Same file: resume reads on from the stored index.
    const resumed = await evalCommand({ ...flags, resume: true }, memoryIO(), scripted([]));
    expect(resumed.summary).toMatchObject({ total: 2, finished: 2 });
    await appendFile(path, `2\t${base64}\tWord?\tHELLO\n`);
    await expect(evalCommand({ ...flags, resume: true }, memoryIO(), scripted([]))).rejects.toMatchObject({
      name: 'UserError',
      code: 'resume-data-changed',
    });

    const failing: EvalDependencies = {
      createRunItem: () => ({
        runItem: async () => {
          throw new Error('model server down');
        },
      }),
    };
    await expect(
      evalCommand(
        { bench: 'custom', data: path, replay: path, out: join(directory, 'failing'), maxAttempts: '1' },
        memoryIO(),
        failing,
      ),
    ).rejects.toMatchObject({ code: 'nothing-scored' });
  }, 60_000);
});
