import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRun } from '../report/load-run.js';
import { buildReportTables } from '../report/report-tables.js';
import { runBenchmark } from '../run-benchmark.js';
import { createScorer } from '../scoring/create-scorer.js';
import { scriptedTrajectory } from '../testing/scripted-trajectory.js';
import { benchmarkMetrics } from './benchmark-metrics.js';

const png = readFileSync(
  join(import.meta.dirname, '../../../test/fixtures/benchmarks/jsonl/images/ocr-1.png'),
).toString('base64');

/** A VLMEvalKit-style MME TSV: two questions per image, the second row sharing the image by index. */
async function mmeTsv(directory: string): Promise<string> {
  const lines = ['index\timage\tquestion\tanswer\tcategory\timage_path'];
  let index = 0;
  for (const category of ['OCR', 'count']) {
    for (let image = 0; image < 2; image++) {
      const first = index;
      for (const answer of ['Yes', 'No']) {
        const cell = index === first ? png : String(first);
        lines.push(`${index}\t${cell}\tIs it ${index}?\t${answer}\t${category}\t${category}/${image}.png`);
        index++;
      }
    }
  }
  const path = join(directory, 'MME.tsv');
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

describe('MME metrics of a real run', () => {
  it('pairs questions by image_path from the TSV and reports acc, acc+ and the perception sum', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-mme-'));
    const dataPath = await mmeTsv(directory);
    // Scripted answers: every OCR question right; count gets image 0's "Yes" question wrong.
    const answerOf = (id: string, reference: string) =>
      id === '4' ? 'No, there is none.' : reference === 'Yes' ? 'Yes.' : 'No';
    await runBenchmark({
      benchmark: 'mme',
      dataPath,
      runDirectory: join(directory, 'run'),
      models: ['scripted'],
      mode: 'direct',
      concurrency: 2,
      seed: 0,
      resume: false,
      judge: null,
      scoring: { mode: 'vlmevalkit', judge: null },
      runItem: async (item) => scriptedTrajectory(item, { answer: answerOf(item.id, item.answer) }),
      scorer: createScorer({ mode: 'vlmevalkit' }),
    });
    const run = loadRun(join(directory, 'run'));
    const [metrics] = benchmarkMetrics(run.items);
    if (metrics?.benchmark !== 'mme') throw new Error('expected MME metrics');
    const byName = Object.fromEntries(metrics.metrics.categories.map((entry) => [entry.category, entry]));
    expect(byName.OCR).toMatchObject({
      accuracy: 100,
      accuracyPlus: 100,
      score: 200,
      images: 2,
      unpaired: 0,
    });
    expect(byName.count).toMatchObject({ accuracy: 75, accuracyPlus: 50, score: 125, images: 2 });
    expect(metrics.metrics.perception).toBe(325);
    expect(metrics.metrics.cognition).toBe(0);
    expect(metrics.metrics.missing).toContain('code_reasoning');

    const table = buildReportTables([run]).find((entry) => entry.title.includes('MME_rating'));
    expect(table?.rows).toContainEqual(['count', '2', '75.00', '50.00', '125.00']);
    expect(table?.rows).toContainEqual(['perception (sum of 10)', '', '', '', '325.00']);
  });

  it('POPE: a judge-ruled correct answer counts as the reference; an unread one as No', () => {
    const base = { rowNumber: 0, benchmark: 'pope', question: 'q', status: 'done' as const };
    const [pope] = benchmarkMetrics([
      {
        ...base,
        id: '1',
        category: 'random',
        groups: { category: 'random' },
        reference: 'Yes',
        correct: true,
        score: { extracted: 'Unknown' },
      },
      {
        ...base,
        id: '2',
        category: 'random',
        groups: { category: 'random' },
        reference: 'Yes',
        correct: false,
        score: { extracted: 'Unknown' },
      },
      {
        ...base,
        id: '3',
        category: 'random',
        groups: { category: 'random' },
        reference: 'No',
        correct: false,
        score: { extracted: 'Yes' },
      },
    ]);
    if (pope?.benchmark !== 'pope') throw new Error('expected POPE metrics');
    expect(pope.rows[0]).toMatchObject({ split: 'Overall', n: 3, precision: 50, recall: 50 });
  });
});
