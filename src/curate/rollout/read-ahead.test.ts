import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { scriptedTest as it } from '../../model/testing/scripted-test.js';
import { createRewardScorer } from '../../reward/index.js';
import { CurationStore } from '../store/curation-store.js';
import { ImageStore } from '../store/image-store.js';
import { seedCleanStage } from '../testing/seed-clean-stage.js';
import { runDifficulty } from './difficulty-stage.js';
import { agentRollouts, type RolloutRunner } from './rollout-runner.js';

const ITEMS = 12;
const K = 2;
const CONCURRENCY = 3;
const SETTINGS = { k: K, temperature: 1, seed: 0, judge: null, maxAttempts: 1, agent: {}, maxPasses: 2 };

/** Counts reads per picture, so the test sees each item's images read once. */
class CountingImageStore extends ImageStore {
  readonly reads = new Map<string, number>();
  override read(sha256: string): Promise<Uint8Array> {
    this.reads.set(sha256, (this.reads.get(sha256) ?? 0) + 1);
    return super.read(sha256);
  }
}

describe('rollout stages read images ahead of the slots', () => {
  let directory: string;
  let store: CurationStore;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'curate-read-ahead-'));
    store = new CurationStore(directory);
    await seedCleanStage(store, new ImageStore(store), ITEMS, (index) => index);
  });
  afterAll(async () => {
    store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('should prepare the items of the next slots before their rollouts start, once each', async ({
    scripted,
  }) => {
    const model = scripted(() => '<think>x</think><answer>2</answer>');
    const inner = agentRollouts({ dependencies: { model }, temperature: 1 });
    const images = new CountingImageStore(store);
    const prepared: Uint8Array[][] = [];
    // For each rollout as it starts: how many items' images had been asked of the store by then
    // (asked synchronously as a task starts, so the count does not depend on timing).
    const readAtStart: { item: number; read: number; sameArray: boolean }[] = [];
    const runner: RolloutRunner = {
      name: inner.name,
      prepare: (bytes) => {
        prepared.push(bytes);
        return inner.prepare!(bytes);
      },
      run: async (input, signal) => {
        const start = { item: Number(input.item.id.slice(1)), read: images.reads.size, sameArray: false };
        readAtStart.push(start);
        const run = await inner.run(input, signal);
        start.sameArray = prepared.includes(input.images);
        return run;
      },
    };
    const outcome = await runDifficulty(
      SETTINGS,
      { store, images, concurrency: CONCURRENCY },
      {
        runner,
        scorer: createRewardScorer(),
      },
    );
    expect(outcome).toMatchObject({ finished: true, dropped: 0 });
    expect(model.requests).toHaveLength(ITEMS * K);
    // Every item read and prepared exactly once, its k rollouts given that same prepared array.
    expect([...images.reads.values()]).toEqual(Array(ITEMS).fill(1));
    expect(prepared).toHaveLength(ITEMS);
    expect(readAtStart.every((start) => start.sameArray)).toBe(true);
    // Ahead of the slots: when a rollout of item i starts, the items `concurrency` tasks further on
    // (k tasks per item) were already asked for.
    for (const start of readAtStart) {
      const lastTaskStarted = start.item * K + (K - 1);
      const ahead = Math.min(ITEMS, Math.floor((start.item * K + CONCURRENCY) / K) + 1);
      expect(start.read, `item ${start.item} (task ≤ ${lastTaskStarted})`).toBeGreaterThanOrEqual(ahead);
    }
  });
});
