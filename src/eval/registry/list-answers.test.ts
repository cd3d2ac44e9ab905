import { describe, expect, it } from 'vitest';
import { createScorer } from '../scoring/create-scorer.js';
import { findBenchmark } from './benchmarks.js';
import { buildItems } from './build-items.js';

describe('list-valued answers from any loader are alternatives', () => {
  const rows = [
    // VLMEvalKit TSV: a Python list literal in a string column.
    {
      rowNumber: 0,
      fields: {
        index: '0',
        question: 'What does it say?',
        answer: "['Centre', 'centre']",
        category: 'Regular Text Recognition',
      },
      images: [],
    },
    // JSONL / parquet: an array value (used to be skipped as "no answer").
    {
      rowNumber: 1,
      fields: {
        index: '1',
        question: 'What does it say?',
        answer: ['STOP', 'Stop sign'],
        category: 'Scene Text-centric VQA',
      },
      images: [],
    },
    {
      rowNumber: 2,
      fields: { index: '2', question: 'What does it say?', answer: [], category: 'x' },
      images: [],
    },
  ];

  it('keeps list rows, scores any alternative as correct and the literal text as wrong', async () => {
    const built = buildItems(findBenchmark('ocrbench'), rows, { seed: 0 });
    expect(built.items.map((item) => item.id)).toEqual(['0', '1']);
    expect(built.badRows).toEqual([
      expect.objectContaining({ rowNumber: 2, reason: expect.stringContaining('no answer') }),
    ]);
    const scorer = createScorer();
    const [centre, stop] = built.items;
    expect((await scorer.score(centre!, 'The sign reads centre.')).verdict).toBe('correct');
    expect((await scorer.score(centre!, 'Cent')).verdict).toBe('wrong');
    expect((await scorer.score(stop!, 'stop')).verdict).toBe('correct');
    expect(await scorer.score(stop!, 'Yield')).toMatchObject({ verdict: 'wrong', mode: 'vlmevalkit' });
  });
});
