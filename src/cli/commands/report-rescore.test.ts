import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EvalItem } from '../../eval/eval-item.js';
import { RunStore } from '../../eval/runner/run-store.js';
import { createScorer } from '../../eval/scoring/create-scorer.js';
import { memoryIO } from '../io.js';
import { reportCommand } from './report.js';

function item(id: string, answer: string, extra: Partial<EvalItem> = {}): EvalItem {
  return {
    id,
    rowNumber: Number(id),
    benchmark: 'chartqa',
    question: 'What is the value?',
    prompt: 'What is the value?',
    answer,
    category: 'all',
    groups: {},
    meta: {},
    loadImages: async () => [],
    ...extra,
  };
}

/** A finished run scored in vlmevalkit mode, written to a real store (no model: predictions given). */
async function finishedRun(entries: Array<[EvalItem, string]>): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'deepeyes-rescore-'));
  const store = RunStore.open(
    directory,
    {
      benchmark: 'chartqa',
      dataPath: '/data/chartqa.tsv',
      models: ['scripted'],
      mode: 'direct',
      seed: 0,
      shuffleOptions: false,
      judge: null,
      scoring: { mode: 'vlmevalkit', judge: null },
      extra: {},
    },
    { resume: false },
  );
  const scorer = createScorer({ mode: 'vlmevalkit' });
  store.addItems(entries.map(([value]) => value));
  for (const [value, prediction] of entries) {
    const score = await scorer.score(value, prediction);
    store.recordResult(value.id, {
      status: 'done',
      prediction,
      correct: score.verdict === 'correct',
      score,
      error: null,
      errorKind: null,
      attempts: 1,
      trajectoryPath: null,
      toolCalls: 0,
      toolMix: {},
      turns: 1,
      durationMs: 1,
      stopReason: 'answer',
    });
  }
  store.close();
  return directory;
}

describe('deepeyes report --scoring re-scores a finished run from its store', () => {
  it('says how far the modes differ, item by item, and reports the new mode', async () => {
    const directory = await finishedRun([
      [item('1', '42'), '42'],
      [item('2', '42'), 'The answer is 42.'],
      [item('3', '100'), '95.2'],
      [item('4', 'Germany'), 'France'],
    ]);
    const io = memoryIO();
    await reportCommand({ directories: [directory], scoring: 'deepeyes' }, io);
    const out = io.stdout.join('');
    expect(out).toContain(
      'scored vlmevalkit 25.0% → re-scored deepeyes 75.0% · +50.0 points; 2 item(s) differ (2 wrong→correct, 0 correct→wrong)',
    );
    const markdown = await readFile(join(directory, 'report.md'), 'utf8');
    expect(markdown).toContain('(re-scored deepeyes)');
    expect(markdown).toMatch(/\| deepeyes \|/);
    // The store itself is untouched: a plain report still shows the run's own scoring.
    const plain = memoryIO();
    await reportCommand({ directories: [directory] }, plain);
    expect(plain.stdout.join('')).toContain('25.0% of 4 scored');
    expect(await readFile(join(directory, 'report.md'), 'utf8')).toMatch(/\| vlmevalkit \|/);
  });

  it('re-scoring in the same mode agrees on every item', async () => {
    const directory = await finishedRun([
      [item('1', "['12', '15']"), '15'],
      [item('2', '7'), 'seven'],
    ]);
    const io = memoryIO();
    await reportCommand({ directories: [directory], scoring: 'vlmevalkit' }, io);
    expect(io.stdout.join('')).toContain(
      'scored vlmevalkit 50.0% → re-scored vlmevalkit 50.0% · the modes agree on every item',
    );
  });
});
