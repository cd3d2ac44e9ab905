import { describe, expect, it } from 'vitest';
import type { StoredItem } from '../runner/run-store.js';
import { summarizeRun } from './summarize-run.js';

function stored(id: string, fields: Partial<StoredItem>): StoredItem {
  return {
    id,
    rowNumber: 0,
    benchmark: 'realx-bench',
    category: 'all',
    groups: {},
    question: 'q',
    reference: 'a',
    status: 'done',
    correct: true,
    toolCalls: 0,
    toolMix: {},
    ...fields,
  };
}

describe('run analytics', () => {
  const items = [
    stored('1', {
      groups: { capabilities: 'perception' },
      correct: true,
      toolCalls: 2,
      toolMix: { crop: 2 },
      score: { verifier: 'short-answer' },
    }),
    stored('2', {
      groups: { capabilities: 'perception+search' },
      correct: false,
      toolCalls: 1,
      toolMix: { 'text-search': 1 },
      score: { verifier: 'judge' },
    }),
    stored('3', {
      groups: { capabilities: 'perception+search+reason' },
      correct: true,
      toolCalls: 3,
      toolMix: { crop: 1, numerical: 1, 'image-search': 1 },
      score: { verifier: 'judge' },
    }),
    stored('4', { groups: { capabilities: 'reason' }, correct: false, toolCalls: 0 }),
    stored('5', {
      groups: { capabilities: 'search' },
      status: 'error',
      correct: null,
      errorKind: 'model-unreachable',
      toolCalls: 0,
    }),
  ];

  it('computes accuracy, tool-use rate and calls per item over scored items, errors apart', () => {
    const { overall, errorsByKind } = summarizeRun(items);
    expect(overall).toMatchObject({
      items: 5,
      scored: 4,
      correct: 2,
      errors: 1,
      accuracy: 0.5,
      toolUseRate: 0.75,
      toolCallsPerItem: 1.5,
    });
    expect(overall.toolMix).toEqual({
      crop: 3,
      numerical: 1,
      mark: 0,
      'other-image': 0,
      'image-search': 1,
      'text-search': 1,
    });
    expect(errorsByKind).toEqual({ 'model-unreachable': 1 });
  });

  it('reports RealX per capability (an item counts in every capability it needs) and Integration', () => {
    const columns = summarizeRun(items).capabilities!;
    const byKey = Object.fromEntries(columns.map((column) => [column.key, column]));
    expect(byKey.Perception).toMatchObject({ scored: 3, correct: 2 });
    expect(byKey.Search).toMatchObject({ items: 3, scored: 2, correct: 1, errors: 1 });
    expect(byKey.Reasoning).toMatchObject({ scored: 2, correct: 1 });
    expect(byKey.Integration).toMatchObject({ scored: 1, correct: 1, accuracy: 1 });
  });

  it('groups by every field and counts verifiers', () => {
    const analytics = summarizeRun(items);
    expect(analytics.byField.map((table) => table.field)).toEqual(['capabilities']);
    expect(analytics.byField[0]!.rows.map((row) => row.key)).toEqual([
      'perception',
      'perception+search',
      'perception+search+reason',
      'reason',
      'search',
    ]);
    expect(analytics.verifiers).toEqual({ 'short-answer': 1, judge: 2 });
  });
});
