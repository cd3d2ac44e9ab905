import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvalRunReader } from './eval-run-reader.js';
import { sampleFilterSchema } from './sample-filter.js';
import { SampleIndex } from './sample-index.js';
import { generateEvalRun } from './testing/generate-runs.js';

const root = mkdtempSync(join(tmpdir(), 'eval-run-reader-'));
const directory = join(root, 'run');

beforeAll(async () => {
  await generateEvalRun({ directory, items: 60, model: 'scripted', seed: 0, accuracyTenths: 5 });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

const filter = (query: Record<string, string> = {}) => sampleFilterSchema.parse(query);

describe('EvalRunReader indexing', () => {
  it('shows grid rows from run.sqlite at once and fills the search text in behind', async () => {
    const index = new SampleIndex(join(root, 'cache', 'a.sqlite'));
    const reader = new EvalRunReader(directory, index);
    try {
      await reader.refreshIndex();
      // The grid is complete before any trajectory file was read (those reads are still in flight).
      expect(index.query(filter(), { offset: 0, limit: 100 }).total).toBe(60);
      expect(index.query(filter({ verdict: 'wrong' }), { offset: 0, limit: 100 }).total).toBe(30);
      expect(reader.textProgress()).toEqual({ indexed: 0, total: 60 });
      expect(index.query(filter({ q: 'marker42' }), { offset: 0, limit: 10 }).total).toBe(0);
      await reader.whenTextIndexed();
      expect(reader.textProgress()).toEqual({ indexed: 60, total: 60 });
      const found = index.query(filter({ q: 'marker42' }), { offset: 0, limit: 10 });
      expect(found.rows.map((row) => row.id)).toEqual(['q00042']);
      // A second refresh of an unchanged run reads nothing again.
      await reader.refreshIndex();
      expect(reader.textProgress()).toEqual({ indexed: 60, total: 60 });
    } finally {
      reader.close();
      index.close();
    }
  });

  it('stops the background text index when closed, without errors', async () => {
    const index = new SampleIndex(join(root, 'cache', 'b.sqlite'));
    const reader = new EvalRunReader(directory, index);
    await reader.refreshIndex();
    reader.close();
    index.close();
    await reader.whenTextIndexed();
  });
});
