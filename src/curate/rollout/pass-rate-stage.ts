import { DeepeyesError } from '../../errors.js';
import { summarizeToolUse } from '../../eval/analytics/classify-tool-call.js';
import type { RewardScorer } from '../../reward/index.js';
import { type CurationItem, curationItemSchema, type StageName } from '../curation-item.js';
import { progressTracker, type StageContext, type StageOutcome } from '../pipeline/stage-context.js';
import { runPool } from '../pipeline/work-pool.js';
import { type RolloutRow, settingsKey } from '../store/curation-store.js';
import { gradeTrajectory } from './grade-trajectory.js';
import type { RolloutRunner } from './rollout-runner.js';

export type PassRateSettings = {
  /** Rollouts per item (the paper: 8). */
  k: number;
  /** Sampling temperature (the paper's passes: 1). */
  temperature: number;
  /** Seed of sample 0. */
  seed: number;
  /** Judge identity (URL + model) or null when rule verifiers decide: it pins the verdicts. */
  judge: string | null;
  /** Attempts per rollout when the model or sandbox fails, before it is left for a rerun. */
  maxAttempts: number;
  /** Anything else that changes a rollout (agent profile, budgets, prompts). */
  agent: Record<string, unknown>;
};

export type PassRateDependencies = { runner: RolloutRunner; scorer: RewardScorer };

type StageSpec = {
  stage: StageName;
  input: StageName;
  tools: boolean;
  /** The item's fate once its k rollouts are in. */
  decide(
    item: CurationItem,
    passes: number,
    k: number,
  ): { keep: boolean; reason?: string; item: CurationItem };
  /** Settings that change the decision but not the rollouts. */
  decision: Record<string, unknown>;
};

const INFRASTRUCTURE_STOPS = new Set(['model-error', 'sandbox-error']);

/**
 * k rollouts per item, each stored the moment it is scored; an item is decided once all k are in.
 * A resumed run skips decided items and stored rollouts, so a kill redoes nothing finished and loses
 * at most the rollouts in flight. Units of concurrency are rollouts, to keep the model servers busy.
 */
export async function runPassRateStage(
  spec: StageSpec,
  settings: PassRateSettings,
  context: StageContext,
  dependencies: PassRateDependencies,
): Promise<StageOutcome> {
  const { store } = context;
  const rolloutSettings = { ...settings, model: dependencies.runner.name, tools: spec.tools };
  delete (rolloutSettings as Partial<PassRateSettings>).maxAttempts;
  const key = settingsKey(rolloutSettings);
  const begun = store.beginStage(spec.stage, { rollouts: rolloutSettings, decision: spec.decision });
  const outcome = (workDone: number, failed: number, finished: boolean): StageOutcome => ({
    stage: spec.stage,
    ...store.counts(spec.stage),
    workDone,
    failed,
    finished,
  });
  if (begun.finished) return outcome(0, 0, true);
  if (begun.reset)
    context.log?.(`${spec.stage}: settings changed, deciding again (stored rollouts are reused)`);

  const input = store.stageItems(spec.input, 'kept');
  const decided = store.decidedIds(spec.stage);
  const stored = store.rollouts(spec.stage, key);
  const positions = new Map(input.map((row) => [row.id, row.position]));
  const verdictRow = (item: CurationItem, rows: readonly RolloutRow[]) => {
    const passes = rows.filter((row) => row.correct).length;
    const verdict = spec.decide(item, passes, settings.k);
    return {
      id: item.id,
      position: positions.get(item.id) ?? 0,
      status: verdict.keep ? ('kept' as const) : ('dropped' as const),
      reason: verdict.reason ?? null,
      detail: `${passes}/${settings.k} correct`,
      data: verdict.item,
    };
  };
  const tasks: { item: CurationItem; sample: number; index: number }[] = [];
  // Items whose k rollouts were all stored by an earlier session: decided here, in one transaction.
  const readyToDecide: ReturnType<typeof verdictRow>[] = [];
  let doneBefore = 0;
  for (const row of input) {
    if (decided.has(row.id)) {
      doneBefore += settings.k;
      continue;
    }
    const item = curationItemSchema.parse(row.data);
    const have = stored.get(item.id) ?? [];
    doneBefore += Math.min(have.length, settings.k);
    if (have.length >= settings.k) {
      readyToDecide.push(verdictRow(item, have.slice(0, settings.k)));
      continue;
    }
    const samples = new Set(have.map((rollout) => rollout.sample));
    for (let sample = 0; sample < settings.k; sample++)
      if (!samples.has(sample)) tasks.push({ item, sample, index: tasks.length });
  }
  store.putStageItems(spec.stage, readyToDecide);
  const progress = progressTracker(context, spec.stage, 'rollouts', input.length * settings.k, doneBefore);
  // An item's images are read (and prepared for the model) once for its k rollouts, and read
  // ahead of the slots: a rollout that finds its picture still on disk waits for the read behind
  // the thread pool's other work (image decoding, the sandbox's /proc reads), measured at 12 ms
  // per rollout at concurrency 32 with sandbox sessions opening.
  const imageCache = new Map<string, Promise<Uint8Array[]>>();
  const loadImages = (item: CurationItem) => {
    let images = imageCache.get(item.id);
    if (!images) {
      images = Promise.all(item.images.map((image) => context.images.read(image.sha256)));
      imageCache.set(item.id, images);
      const prepare = dependencies.runner.prepare;
      if (prepare) images.then((bytes) => prepare(bytes)).catch(() => {});
    }
    return images;
  };
  const readAhead = (index: number) => {
    const ahead = tasks[index + context.concurrency];
    if (ahead) loadImages(ahead.item).catch(() => {});
  };
  // This session's and earlier sessions' rollouts of the undecided items, so deciding reads no store.
  const rolloutsOf = stored;
  let failed = 0;
  const pool = await runPool({
    tasks,
    concurrency: context.concurrency,
    signal: context.signal,
    onTaskError: (task, error) => {
      failed++;
      context.log?.(`${spec.stage}: ${task.item.id} sample ${task.sample}: ${(error as Error).message}`);
    },
    run: async ({ item, sample, index }, signal) => {
      readAhead(index);
      const images = await loadImages(item);
      let run: Awaited<ReturnType<RolloutRunner['run']>> | undefined;
      for (let attempt = 1; attempt <= settings.maxAttempts; attempt++) {
        run = await dependencies.runner.run({ item, images, tools: spec.tools, sample }, signal);
        if (signal.aborted) return;
        if (!INFRASTRUCTURE_STOPS.has(run.trajectory.stopReason)) break;
        if (attempt === settings.maxAttempts)
          throw new DeepeyesError(
            run.trajectory.stopReason,
            run.trajectory.error ?? run.trajectory.stopReason,
          );
      }
      const trajectory = run!.trajectory;
      const reward = await gradeTrajectory(dependencies.scorer, item, trajectory, signal);
      if (signal.aborted) return;
      const usage = summarizeToolUse(trajectory);
      const rollout: RolloutRow = {
        id: item.id,
        sample,
        correct: reward.acc === 1,
        toolCalls: usage.toolCalls,
        toolMix: usage.toolMix,
        answer: trajectory.answer,
        stopReason: trajectory.stopReason,
        turns: trajectory.turns.length,
      };
      store.putRollout(spec.stage, key, rollout);
      progress.tick();
      const rows = rolloutsOf.get(item.id) ?? [];
      rows.push(rollout);
      rolloutsOf.set(item.id, rows);
      if (rows.length === settings.k) {
        store.putStageItem(spec.stage, verdictRow(item, rows));
        rolloutsOf.delete(item.id);
        imageCache.delete(item.id);
      }
    },
  });
  const finished = !pool.stopped && failed === 0;
  if (finished) store.finishStage(spec.stage);
  return outcome(progress.doneThisSession, failed, finished);
}
