import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ReplayChatModel } from '../../model/replay-chat-model.js';
import { runBenchmark } from '../run-benchmark.js';
import { createScorer } from '../scoring/create-scorer.js';
import { createToolFreeRunItem } from '../testing/replay-run-item.js';
import { REPORT_IMAGES, thumbnailDataUri, writeReport } from './write-report.js';

describe('report images', () => {
  it('inlines a thumbnail of a large input image, not the full-resolution file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-thumb-'));
    const path = join(directory, 'input.png');
    const noise = Buffer.alloc(2000 * 1500 * 3);
    for (let index = 0; index < noise.length; index++) noise[index] = (index * 7919) % 251;
    const png = await sharp(noise, { raw: { width: 2000, height: 1500, channels: 3 } })
      .png()
      .toBuffer();
    await writeFile(path, png);
    const uri = await thumbnailDataUri(path);
    expect(uri.startsWith('data:image/jpeg;base64,')).toBe(true);
    const thumbnail = Buffer.from(uri.slice('data:image/jpeg;base64,'.length), 'base64');
    expect(await sharp(thumbnail).metadata()).toMatchObject({ width: 480, height: 360 });
    expect(thumbnail.length).toBeLessThan(png.length / 4);
  });
});

describe('report.html links each thumbnail to its full-resolution file next to the report', () => {
  it('writes the files into report-images/ and every link resolves to the original bytes', async () => {
    const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'benchmarks', 'realx');
    const runDirectory = await mkdtemp(join(tmpdir(), 'deepeyes-report-links-'));
    const model = await ReplayChatModel.fromFile(join(fixtures, 'replay.jsonl'));
    await runBenchmark({
      benchmark: 'realx-bench',
      dataPath: join(fixtures, 'realx-sample.jsonl'),
      runDirectory,
      models: [model.name],
      mode: 'agent',
      concurrency: 4,
      seed: 0,
      resume: false,
      judge: null,
      runItem: createToolFreeRunItem(model),
      scorer: createScorer(),
    });
    // A report written elsewhere: the links must not depend on the run directory being beside it.
    const outDirectory = await mkdtemp(join(tmpdir(), 'deepeyes-report-out-'));
    const { htmlPath } = await writeReport({ runDirectories: [runDirectory], outDirectory });
    const html = await readFile(htmlPath, 'utf8');
    const links = [...html.matchAll(/<a href="([^"]+)" target="_blank" rel="noopener"><img src="([^"]+)"/g)];
    expect(links.length).toBeGreaterThanOrEqual(12);
    const inputs = await readdir(join(outDirectory, REPORT_IMAGES));
    expect(inputs.length).toBeGreaterThan(0);
    const digest = (bytes: Buffer) => createHash('sha1').update(bytes).digest('hex');
    const runImages = new Set<string>();
    for (const entry of await readdir(runDirectory, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && /\.(png|jpe?g)$/.test(entry.name))
        runImages.add(digest(await readFile(join(entry.parentPath, entry.name))));
    }
    for (const [, href, src] of links) {
      expect(href!.startsWith(`${REPORT_IMAGES}/`)).toBe(true);
      expect(src!.startsWith('data:image/')).toBe(true);
      const full = join(outDirectory, href!);
      expect(existsSync(full)).toBe(true);
      // The linked file is one of the run's images, byte for byte (not a thumbnail).
      expect(runImages.has(digest(await readFile(full)))).toBe(true);
    }
  });
});
