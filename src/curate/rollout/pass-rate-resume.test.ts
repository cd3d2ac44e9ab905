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
import { agentRollouts } from './rollout-runner.js';

const SETTINGS = { k: 3, temperature: 1, seed: 0, judge: null, maxAttempts: 1, agent: {}, maxPasses: 2 };

describe('difficulty stage interrupted and resumed', () => {
  let directory: string;
  let store: CurationStore;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'curate-resume-'));
    store = new CurationStore(directory);
    await seedCleanStage(store, new ImageStore(store), 20);
  });
  afterAll(async () => {
    store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('should redo no stored rollout and lose none after an abort mid-stage', async ({ scripted }) => {
    const controller = new AbortController();
    const first = scripted((_request, call) => {
      if (call === 25) controller.abort(new Error('killed'));
      return '<think>x</think><answer>2</answer>';
    });
    const context = { store, images: new ImageStore(store), concurrency: 4, signal: controller.signal };
    const stopped = await runDifficulty(SETTINGS, context, {
      runner: agentRollouts({ dependencies: { model: first }, temperature: 1 }),
      scorer: createRewardScorer(),
    });
    expect(stopped.finished).toBe(false);
    const storedAfterKill = store.database.prepare('SELECT COUNT(*) FROM rollouts').pluck().get() as number;
    expect(storedAfterKill).toBeGreaterThan(0);
    expect(storedAfterKill).toBeLessThan(60);

    const second = scripted(() => '<think>x</think><answer>2</answer>');
    const resumed = await runDifficulty(
      SETTINGS,
      { store, images: new ImageStore(store), concurrency: 4 },
      {
        runner: agentRollouts({ dependencies: { model: second }, temperature: 1 }),
        scorer: createRewardScorer(),
      },
    );
    expect(resumed).toMatchObject({ kept: 20, dropped: 0, finished: true });
    // Exactly the missing rollouts were run: nothing redone, nothing lost.
    expect(second.requests).toHaveLength(60 - storedAfterKill);
    expect(store.database.prepare('SELECT COUNT(*) FROM rollouts').pluck().get()).toBe(60);
  });
});
