import type { Trajectory } from '../../agent/trajectory.js';
import { DeepeyesError } from '../../errors.js';
import type { RewardScorer } from '../../reward/index.js';
import { type CurationItem, curationItemSchema } from '../curation-item.js';
import { progressTracker, type StageContext, type StageOutcome } from '../pipeline/stage-context.js';
import { runPool } from '../pipeline/work-pool.js';
import { gradeTrajectory } from '../rollout/grade-trajectory.js';
import type { RolloutRunner } from '../rollout/rollout-runner.js';
import { settingsKey } from '../store/curation-store.js';
import { storeTrajectory } from '../store/store-trajectory.js';
import { type AcceptanceRules, rejectionReasons } from './accept-trajectory.js';

export type TeacherSettings = {
  /** Teacher names in the order attempts go round them. */
  teachers: string[];
  /** Attempts per item over all teachers; the first accepted one ends the item. */
  maxAttempts: number;
  temperature: number;
  seed: number;
  judge: string | null;
  acceptance: AcceptanceRules;
  /** Retries of one attempt when the model or sandbox is unreachable. */
  retries: number;
  agent: Record<string, unknown>;
};

export type Teacher = { name: string; runner: RolloutRunner };

export type TeacherDependencies = { teachers: Teacher[]; scorer: RewardScorer };

/** The accepted trajectory a kept item carries into the SFT export. */
export type AcceptedTrajectory = { teacher: string; attempt: number; trajectory: Trajectory };

const INFRASTRUCTURE_STOPS = new Set(['model-error', 'sandbox-error']);

/**
 * Stage 5: for every cold-start item, trajectories from the teachers (attempt i goes to teacher
 * i mod T) through the same agent loop, sandbox and search as the student, until one passes the
 * acceptance rules or the attempts run out. Every attempt is stored with its rejection reasons.
 */
export async function runTeachers(
  settings: TeacherSettings,
  context: StageContext,
  dependencies: TeacherDependencies,
): Promise<StageOutcome> {
  const { store } = context;
  const names = dependencies.teachers.map((teacher) => teacher.name);
  if (names.join('\n') !== settings.teachers.join('\n'))
    throw new DeepeyesError('curate-teachers', 'the teacher list does not match the settings');
  const attemptSettings = {
    ...settings,
    models: dependencies.teachers.map((teacher) => teacher.runner.name),
  };
  delete (attemptSettings as Partial<TeacherSettings>).retries;
  const key = settingsKey(attemptSettings);
  const begun = store.beginStage('teachers', attemptSettings);
  const outcome = (workDone: number, failed: number, finished: boolean): StageOutcome => ({
    stage: 'teachers',
    ...store.counts('teachers'),
    workDone,
    failed,
    finished,
  });
  if (begun.finished) return outcome(0, 0, true);
  const input = store
    .stageItems('tool-benefit', 'kept')
    .filter((row) => (row.data as CurationItem).pool === 'cold-start');
  const decided = store.decidedIds('teachers');
  const pending = input.filter((row) => !decided.has(row.id));
  const progress = progressTracker(context, 'teachers', 'items', input.length, input.length - pending.length);
  let failed = 0;
  const pool = await runPool({
    tasks: pending,
    concurrency: context.concurrency,
    signal: context.signal,
    onTaskError: (row, error) => {
      failed++;
      context.log?.(`teachers: ${row.id}: ${(error as Error).message}`);
    },
    run: async (row, signal) => {
      const item = curationItemSchema.parse(row.data);
      const done = store.attempts(key, item.id);
      let accepted = done.find((attempt) => attempt.accepted);
      const images = await Promise.all(item.images.map((image) => context.images.read(image.sha256)));
      for (let attempt = done.length; !accepted && attempt < settings.maxAttempts; attempt++) {
        const teacher = dependencies.teachers[attempt % dependencies.teachers.length]!;
        const trajectory = await attemptOnce(
          teacher,
          item,
          images,
          attempt,
          settings.retries,
          context,
          signal,
        );
        if (signal.aborted) return;
        const reward = await gradeTrajectory(dependencies.scorer, item, trajectory, signal);
        if (signal.aborted) return;
        const reasons = rejectionReasons(trajectory, reward, settings.acceptance);
        const row = {
          id: item.id,
          attempt,
          teacher: teacher.name,
          accepted: reasons.length === 0,
          reasons,
          trajectory,
        };
        store.putAttempt(key, row);
        if (row.accepted) accepted = row;
      }
      const attempts = store.attempts(key, item.id);
      store.putStageItem('teachers', {
        id: item.id,
        position: row.position,
        status: accepted ? 'kept' : 'dropped',
        reason: accepted ? null : 'no-accepted-trajectory',
        detail: attempts
          .map((attempt) => `${attempt.teacher}: ${attempt.reasons.join(', ') || 'accepted'}`)
          .join('; '),
        data: accepted
          ? {
              ...item,
              accepted: {
                teacher: accepted.teacher,
                attempt: accepted.attempt,
                trajectory: accepted.trajectory,
              },
            }
          : item,
      });
      progress.tick();
    },
  });
  const finished = !pool.stopped && failed === 0;
  if (finished) store.finishStage('teachers');
  return outcome(progress.doneThisSession, failed, finished);
}

async function attemptOnce(
  teacher: Teacher,
  item: CurationItem,
  images: Uint8Array[],
  attempt: number,
  retries: number,
  context: StageContext,
  signal: AbortSignal,
): Promise<Trajectory> {
  for (let retry = 1; ; retry++) {
    const run = await teacher.runner.run({ item, images, tools: true, sample: attempt }, signal);
    if (!INFRASTRUCTURE_STOPS.has(run.trajectory.stopReason) || signal.aborted)
      return storeTrajectory(run, context.images);
    if (retry >= retries)
      throw new DeepeyesError(
        run.trajectory.stopReason,
        `${teacher.name}: ${run.trajectory.error ?? 'failed'}`,
      );
  }
}
