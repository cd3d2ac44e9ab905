import { setMaxListeners } from 'node:events';
import { access } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Trajectory } from '../../agent/trajectory.js';
import { writeTrajectory } from '../../agent/write-trajectory.js';
import { DeepeyesError, UserError } from '../../errors.js';
import { summarizeToolUse } from '../analytics/classify-tool-call.js';
import type { EvalItem } from '../eval-item.js';
import { finalPrediction } from '../scoring/final-prediction.js';
import type { Score, Scorer } from '../scoring/scorer.js';
import { itemDirectory } from './item-directory.js';
import type { RunItem } from './run-item.js';
import { type EvalProgress, emptyProgress } from './run-progress.js';
import type { ItemResult, RunStore } from './run-store.js';

export type RunEvaluationOptions = {
  items: readonly EvalItem[];
  store: RunStore;
  runDirectory: string;
  runItem: RunItem;
  scorer: Scorer;
  /** Items in flight at once. */
  concurrency: number;
  /** Attempts per item (and per scoring) before an infrastructure failure is recorded as an error. Default 3. */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt. Default 1000 ms. */
  retryDelayMs?: number;
  /** Re-run items an earlier session recorded as errors (default true: errors are infrastructure). */
  retryErrors?: boolean;
  signal?: AbortSignal;
  onProgress?: (progress: EvalProgress) => void;
  now?: () => number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
};

export type EvalSummary = EvalProgress & { stopped: boolean };

const INFRASTRUCTURE_STOPS = new Set(['model-error', 'sandbox-error']);

/**
 * Runs every item not yet done with bounded concurrency. Each finished item is stored in one
 * transaction; items interrupted by an abort stay pending for `--resume`. A `UserError` from
 * `runItem` (a configuration problem every item would hit) stops the run and is rethrown.
 */
export async function runEvaluation(options: RunEvaluationOptions): Promise<EvalSummary> {
  const now = options.now ?? (() => performance.now());
  const sleep = options.sleep ?? abortableSleep;
  const maxAttempts = options.maxAttempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 1000;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort);
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  const signal = controller.signal;
  // Every in-flight item (its HTTP calls, sandbox, sleeps) listens on this one signal.
  setMaxListeners(Math.max(10, options.concurrency * 8), signal);

  options.store.addItems(options.items);
  const byId = new Map(options.items.map((item) => [item.id, item]));
  const statuses = options.retryErrors === false ? (['pending'] as const) : (['pending', 'error'] as const);
  const queue = options.store.idsWithStatus([...statuses]).filter((id) => byId.has(id));
  const progress = initialProgress(options.store, byId);
  const startedAt = now();
  let fatal: unknown;

  const withRetries = async <T>(
    task: () => Promise<T>,
  ): Promise<{ value: T } | { error: unknown; attempts: number }> => {
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      try {
        return { value: await task() };
      } catch (error) {
        if (signal.aborted || error instanceof UserError) throw error;
        lastError = error;
        if (attempt < maxAttempts) await sleep(retryDelayMs * 2 ** (attempt - 1), signal);
      }
    }
    return { error: lastError, attempts: maxAttempts };
  };

  const processItem = async (item: EvalItem): Promise<void> => {
    const outDir = itemDirectory(options.runDirectory, item.id);
    let attempts = 0;
    const ran = await withRetries(async () => {
      attempts++;
      const trajectory = await options.runItem(item, { signal, outDir });
      if (signal.aborted) throw signal.reason;
      if (INFRASTRUCTURE_STOPS.has(trajectory.stopReason)) {
        throw new TrajectoryStoppedError(trajectory);
      }
      return trajectory;
    });
    if ('error' in ran) {
      const stopped = ran.error instanceof TrajectoryStoppedError ? ran.error.trajectory : undefined;
      const trajectoryPath = stopped ? await ensureTrajectory(outDir, stopped, options.runDirectory) : null;
      record(item, errorResult(ran.error, attempts, trajectoryPath, stopped));
      return;
    }
    const trajectory = ran.value;
    const trajectoryPath = await ensureTrajectory(outDir, trajectory, options.runDirectory);
    // Without an <answer>, the last response is scored as the fork's agent scores it.
    const final = finalPrediction(trajectory);
    const scored = await withRetries(async () => {
      const score = await options.scorer.score(item, final.prediction, signal);
      return final.source === 'last-turn' ? { ...score, predictionSource: final.source } : score;
    });
    const usage = summarizeToolUse(trajectory);
    const base = {
      prediction: final.prediction,
      attempts,
      trajectoryPath,
      toolCalls: usage.toolCalls,
      toolMix: usage.toolMix,
      turns: trajectory.turns.length,
      durationMs: trajectory.durationMs,
      stopReason: trajectory.stopReason,
    };
    if ('error' in scored) {
      record(item, {
        ...base,
        status: 'error',
        correct: null,
        score: null,
        ...describeError(scored.error, 'judge'),
      });
      return;
    }
    const score: Score = scored.value;
    if (score.verdict === 'unknown') {
      record(item, {
        ...base,
        status: 'error',
        correct: null,
        score,
        error: `no verdict could be read: ${score.detail ?? ''}`.slice(0, 2000),
        errorKind: 'judge-unknown',
      });
      return;
    }
    record(item, {
      ...base,
      status: 'done',
      correct: score.verdict === 'correct',
      score,
      error: null,
      errorKind: null,
    });
  };

  const record = (item: EvalItem, result: ItemResult) => {
    options.store.recordResult(item.id, result);
    const previous = progress.statusById.get(item.id);
    if (previous) progress.remove(previous);
    const status = result.status === 'error' ? 'error' : result.correct ? 'correct' : 'wrong';
    progress.add({ status, toolCalls: result.toolCalls });
    progress.statusById.set(item.id, { status, toolCalls: result.toolCalls });
    progress.snapshot.finishedThisSession++;
    progress.snapshot.elapsedMs = now() - startedAt;
    progress.snapshot.last = { id: item.id, status, ...(result.error ? { error: result.error } : {}) };
    options.onProgress?.({ ...progress.snapshot });
  };

  const worker = async () => {
    while (queue.length > 0 && !signal.aborted) {
      const id = queue.shift()!;
      try {
        await processItem(byId.get(id)!);
      } catch (error) {
        if (signal.aborted) return;
        fatal ??= error;
        controller.abort(error);
        return;
      }
    }
  };
  try {
    const workers = Array.from({ length: Math.max(1, Math.min(options.concurrency, queue.length)) }, worker);
    await Promise.all(workers);
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (fatal) throw fatal;
  progress.snapshot.elapsedMs = now() - startedAt;
  return { ...progress.snapshot, stopped: signal.aborted };
}

class TrajectoryStoppedError extends DeepeyesError {
  constructor(readonly trajectory: Trajectory) {
    super(trajectory.stopReason, trajectory.error ?? `the run stopped with ${trajectory.stopReason}`);
  }
}

function describeError(error: unknown, fallbackKind: string): { error: string; errorKind: string } {
  if (error instanceof DeepeyesError) return { error: error.message, errorKind: error.code };
  return { error: error instanceof Error ? error.message : String(error), errorKind: fallbackKind };
}

function errorResult(
  error: unknown,
  attempts: number,
  trajectoryPath: string | null,
  trajectory?: Trajectory,
): ItemResult {
  const usage = trajectory ? summarizeToolUse(trajectory) : { toolCalls: 0, toolMix: {} };
  return {
    status: 'error',
    prediction: trajectory?.answer ?? null,
    correct: null,
    score: null,
    ...describeError(error, 'unexpected'),
    attempts,
    trajectoryPath,
    toolCalls: usage.toolCalls,
    toolMix: usage.toolMix,
    turns: trajectory?.turns.length ?? 0,
    durationMs: trajectory?.durationMs ?? 0,
    stopReason: trajectory?.stopReason ?? null,
  };
}

/** The agent normally writes the trajectory; a `runItem` that does not gets its JSON written here. */
async function ensureTrajectory(
  outDir: string,
  trajectory: Trajectory,
  runDirectory: string,
): Promise<string> {
  const jsonPath = join(outDir, 'trajectory.json');
  try {
    await access(jsonPath);
  } catch {
    await writeTrajectory(outDir, trajectory, new Map());
  }
  return relative(runDirectory, jsonPath);
}

type Tally = { status: 'correct' | 'wrong' | 'error'; toolCalls: number };

function initialProgress(store: RunStore, byId: Map<string, EvalItem>) {
  const snapshot: EvalProgress = emptyProgress(byId.size);
  const statusById = new Map<string, Tally>();
  const change = (tally: Tally, sign: 1 | -1) => {
    snapshot.finished += sign;
    if (tally.status === 'correct') snapshot.correct += sign;
    else if (tally.status === 'wrong') snapshot.wrong += sign;
    else snapshot.errors += sign;
    snapshot.toolCalls += sign * tally.toolCalls;
    if (tally.toolCalls > 0) snapshot.itemsWithTools += sign;
  };
  for (const item of store.items()) {
    if (!byId.has(item.id) || item.status === 'pending') continue;
    const tally: Tally = {
      status: item.status === 'error' ? 'error' : item.correct ? 'correct' : 'wrong',
      toolCalls: item.toolCalls ?? 0,
    };
    statusById.set(item.id, tally);
    change(tally, 1);
  }
  return {
    snapshot,
    statusById,
    add: (tally: Tally) => change(tally, 1),
    remove: (tally: Tally) => change(tally, -1),
  };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
