import { spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeepeyesError, UserError } from '../../errors.js';
import { createScorer } from '../scoring/create-scorer.js';
import type { Scorer } from '../scoring/scorer.js';
import { scriptedTrajectory, syntheticItems } from '../testing/scripted-trajectory.js';
import { type RunEvaluationOptions, runEvaluation } from './run-evaluation.js';
import { type RunConfig, RunStore } from './run-store.js';

const config: RunConfig = {
  benchmark: 'realx-bench',
  dataPath: 'synthetic',
  models: ['scripted'],
  mode: 'agent',
  seed: 0,
  shuffleOptions: false,
  judge: null,
  extra: {},
};

async function freshRun(resume = false, directory?: string) {
  const runDirectory = directory ?? (await mkdtemp(join(tmpdir(), 'deepeyes-run-')));
  return { runDirectory, store: RunStore.open(runDirectory, config, { resume }) };
}

function baseOptions(runDirectory: string, store: RunStore): Omit<RunEvaluationOptions, 'runItem' | 'items'> {
  return { store, runDirectory, scorer: createScorer(), concurrency: 4, sleep: async () => {} };
}

describe('evaluation runner', () => {
  it('scores every item once, stores tool use and writes trajectories', async () => {
    const { runDirectory, store } = await freshRun();
    const items = syntheticItems(6);
    const summary = await runEvaluation({
      ...baseOptions(runDirectory, store),
      items,
      runItem: async (item) =>
        scriptedTrajectory(item, {
          answer: item.rowNumber < 4 ? item.answer : 'something else',
          steps:
            item.rowNumber % 2 === 0 ? [{ code: 'image_1.crop((0, 0, 5, 5)).show()' }, { search: 'x' }] : [],
        }),
    });
    expect(summary).toMatchObject({
      total: 6,
      finished: 6,
      correct: 4,
      wrong: 2,
      errors: 0,
      toolCalls: 6,
      itemsWithTools: 3,
    });
    const stored = store.items();
    expect(stored.map((item) => item.status)).toEqual(Array(6).fill('done'));
    expect(stored[0]).toMatchObject({
      toolCalls: 2,
      toolMix: { crop: 1, 'text-search': 1 },
      trajectoryPath: 'trajectories/item-0000/trajectory.json',
    });
    const written = JSON.parse(readFileSync(join(runDirectory, stored[0]!.trajectoryPath!), 'utf8'));
    expect(written.answer).toBe('answer-0');
    store.close();
  });

  it('retries infrastructure failures and records persistent ones as errors, not wrong answers', async () => {
    const { runDirectory, store } = await freshRun();
    const calls = new Map<string, number>();
    const summary = await runEvaluation({
      ...baseOptions(runDirectory, store),
      items: syntheticItems(3),
      maxAttempts: 3,
      runItem: async (item) => {
        const count = (calls.get(item.id) ?? 0) + 1;
        calls.set(item.id, count);
        if (item.rowNumber === 0 && count < 3)
          throw new DeepeyesError('model-unreachable', 'No model server');
        if (item.rowNumber === 1)
          throw new DeepeyesError('model-unreachable', 'No model server at http://127.0.0.1:9');
        if (item.rowNumber === 2)
          return scriptedTrajectory(item, {
            answer: null,
            stopReason: 'sandbox-error',
            error: 'kernel died',
          });
        return scriptedTrajectory(item, { answer: item.answer });
      },
    });
    expect([...calls.values()]).toEqual([3, 3, 3]);
    expect(summary).toMatchObject({ correct: 1, wrong: 0, errors: 2 });
    const [first, second, third] = store.items();
    expect(first).toMatchObject({ status: 'done', correct: true, attempts: 3 });
    expect(second).toMatchObject({
      status: 'error',
      correct: null,
      errorKind: 'model-unreachable',
      attempts: 3,
      trajectoryPath: null,
    });
    expect(third).toMatchObject({
      status: 'error',
      errorKind: 'sandbox-error',
      error: 'kernel died',
      stopReason: 'sandbox-error',
    });
    expect(third!.trajectoryPath).toBe('trajectories/item-0002/trajectory.json');
    store.close();
  });

  it('records an unreadable judge verdict and a dead judge as errors', async () => {
    const { runDirectory, store } = await freshRun();
    const scorer: Scorer = {
      async score(item) {
        if (item.rowNumber === 0) return { verdict: 'unknown', verifier: 'judge', detail: 'judge: maybe?' };
        throw new DeepeyesError('judge-unreachable', 'judge is down');
      },
    };
    await runEvaluation({
      ...baseOptions(runDirectory, store),
      scorer,
      items: syntheticItems(2),
      runItem: async (item) => scriptedTrajectory(item, { answer: 'x' }),
    });
    expect(store.items().map((item) => [item.status, item.errorKind, item.prediction])).toEqual([
      ['error', 'judge-unknown', 'x'],
      ['error', 'judge-unreachable', 'x'],
    ]);
    store.close();
  });

  it('stops the whole run on a configuration error', async () => {
    const { runDirectory, store } = await freshRun();
    let calls = 0;
    await expect(
      runEvaluation({
        ...baseOptions(runDirectory, store),
        concurrency: 1,
        items: syntheticItems(5),
        runItem: async () => {
          calls++;
          throw new UserError('bad-flag', 'unknown --mode');
        },
      }),
    ).rejects.toThrow('unknown --mode');
    expect(calls).toBe(1);
    expect(store.idsWithStatus(['pending'])).toHaveLength(5);
    store.close();
  });

  it('keeps at most `concurrency` items in flight', async () => {
    const { runDirectory, store } = await freshRun();
    let inFlight = 0;
    let peak = 0;
    let finished = 0;
    // Each item is held until three run together (or all that are left), so the runner reaches its
    // limit whatever the machine's timing; a runner that let fewer through would hang here and fail
    // at the test's time limit.
    const held: Array<() => void> = [];
    await runEvaluation({
      ...baseOptions(runDirectory, store),
      concurrency: 3,
      items: syntheticItems(12),
      runItem: async (item) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        const released = new Promise<void>((resolve) => held.push(resolve));
        if (held.length === Math.min(3, 12 - finished)) for (const release of held.splice(0)) release();
        await released;
        inFlight--;
        finished++;
        return scriptedTrajectory(item, { answer: item.answer });
      },
    });
    expect(peak).toBe(3);
    store.close();
  }, 10_000);

  it('on abort leaves unfinished items pending; a resume runs only those and re-runs errors', async () => {
    const { runDirectory, store } = await freshRun();
    const controller = new AbortController();
    const items = syntheticItems(8);
    const first = await runEvaluation({
      ...baseOptions(runDirectory, store),
      concurrency: 2,
      items,
      signal: controller.signal,
      maxAttempts: 1,
      runItem: async (item, { signal }) => {
        if (item.rowNumber === 1) throw new DeepeyesError('model-unreachable', 'down');
        // Row 3 is in flight when the run is aborted, and gives up as a cancelled item does.
        if (item.rowNumber === 3) controller.abort();
        if (signal.aborted) throw signal.reason;
        return scriptedTrajectory(item, { answer: item.answer });
      },
    });
    expect(first.stopped).toBe(true);
    const doneBefore = store.idsWithStatus(['done']);
    expect(store.idsWithStatus(['error'])).toEqual(['item-0001']);
    store.close();

    const resumed = await freshRun(true, runDirectory);
    const ran: string[] = [];
    const second = await runEvaluation({
      ...baseOptions(runDirectory, resumed.store),
      items,
      runItem: async (item) => {
        ran.push(item.id);
        return scriptedTrajectory(item, { answer: item.answer });
      },
    });
    expect(ran).toContain('item-0001');
    for (const id of doneBefore) expect(ran).not.toContain(id);
    expect(second).toMatchObject({ total: 8, finished: 8, correct: 8, errors: 0 });
    resumed.store.close();
  });

  it('refuses to resume with a different configuration, or to reuse a directory without --resume', async () => {
    const { runDirectory, store } = await freshRun();
    store.close();
    expect(() => RunStore.open(runDirectory, config, { resume: false })).toThrow(/already holds a run/);
    expect(() => RunStore.open(runDirectory, { ...config, seed: 9, mode: 'code' }, { resume: true })).toThrow(
      /mode, seed differ/,
    );
  });

  it('survives SIGKILL mid-run: the resumed run ends with every item exactly once', async () => {
    const runDirectory = await mkdtemp(join(tmpdir(), 'deepeyes-kill-'));
    const child = join(import.meta.dirname, '..', 'testing', 'resume-child.ts');
    const count = 40;
    const start = () =>
      spawn(process.execPath, ['--import', 'tsx', child, runDirectory, String(count), '25'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });

    const first = start();
    await new Promise<void>((resolve, reject) => {
      first.stdout.on('data', (chunk: Buffer) => {
        const finished = Math.max(
          ...[...chunk.toString().matchAll(/finished (\d+)/g)].map((match) => Number(match[1])),
        );
        if (finished >= 10) {
          first.kill('SIGKILL');
          resolve();
        }
      });
      first.on('exit', (code) =>
        code === 0 ? reject(new Error('child finished before it was killed')) : resolve(),
      );
    });
    await new Promise((resolve) => first.once('close', resolve));

    const afterKill = RunStore.openExisting(runDirectory);
    const doneAtKill = afterKill.idsWithStatus(['done']);
    afterKill.close();
    expect(doneAtKill.length).toBeGreaterThanOrEqual(10);
    expect(doneAtKill.length).toBeLessThan(count);
    appendFileSync(join(runDirectory, 'ran.log'), 'resume\n');

    const second = start();
    let output = '';
    second.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const exitCode = await new Promise((resolve) => second.on('close', resolve));
    expect(exitCode).toBe(0);
    expect(output).toContain('complete');

    const final = RunStore.openExisting(runDirectory);
    const items = final.items();
    final.close();
    expect(items).toHaveLength(count);
    expect(new Set(items.map((item) => item.id)).size).toBe(count);
    expect(items.every((item) => item.status === 'done')).toBe(true);
    const rerun = readFileSync(join(runDirectory, 'ran.log'), 'utf8')
      .split('resume\n')[1]!
      .trim()
      .split('\n');
    for (const id of doneAtKill) expect(rerun).not.toContain(`ran ${id}`);
    expect(rerun.length).toBe(count - doneAtKill.length);
  });
});
