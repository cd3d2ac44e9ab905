import type { Trajectory } from '../../agent/trajectory.js';
import { summarizeToolUse } from '../../eval/analytics/classify-tool-call.js';
import { STAGES, type StageName } from '../curation-item.js';
import { type CurationStore, settingsKey } from '../store/curation-store.js';

/** Everything the curation report shows, read from the store. */
export type CurationSummary = {
  /** Items in and out of each stage that has run, in pipeline order. */
  funnel: { stage: StageName; kept: number; dropped: number }[];
  badRows: number;
  drops: { stage: string; reason: string; count: number }[];
  /** Items per number of correct rollouts out of k. */
  passRates: { noTools: Histogram | null; withTools: Histogram | null };
  pools: { rl: number; coldStart: number };
  teachers: { teacher: string; attempts: number; accepted: number; reasons: Record<string, number> }[];
  /** Tool calls of accepted teacher trajectories by category (Fig. 6's categories). */
  toolMix: Record<string, number>;
  mixes: {
    export: 'sft-export' | 'rl-export';
    group: string;
    target: number;
    taken: number;
    share: number;
  }[];
};

export type Histogram = { k: number; counts: number[] };

type PassRates = { noTools?: { passes: number; k: number }; withTools?: { passes: number; k: number } };

function histogram(values: { passes: number; k: number }[]): Histogram | null {
  if (values.length === 0) return null;
  const k = Math.max(...values.map((value) => value.k));
  const counts = Array.from({ length: k + 1 }, () => 0);
  for (const value of values) counts[value.passes] = (counts[value.passes] ?? 0) + 1;
  return { k, counts };
}

export function summarizeCuration(store: CurationStore): CurationSummary {
  const funnel = STAGES.filter((stage) => stage !== 'report' && store.stageSettings(stage) !== undefined).map(
    (stage) => ({ stage, ...store.counts(stage) }),
  );
  const rates = (stage: StageName, key: keyof PassRates) =>
    histogram(
      store
        .stageItems(stage)
        .map((row) => (row.data as { passRates?: PassRates } | null)?.passRates?.[key])
        .filter((value): value is { passes: number; k: number } => value !== undefined),
    );
  const pools = { rl: 0, coldStart: 0 };
  for (const row of store.stageItems('tool-benefit', 'kept')) {
    const pool = (row.data as { pool?: string }).pool;
    if (pool === 'rl') pools.rl++;
    else if (pool === 'cold-start') pools.coldStart++;
  }
  const teacherSettings = store.stageSettings('teachers');
  const teachers = new Map<string, CurationSummary['teachers'][number]>();
  if (teacherSettings !== undefined)
    for (const attempt of store.attempts(settingsKey(teacherSettings))) {
      const entry = teachers.get(attempt.teacher) ?? {
        teacher: attempt.teacher,
        attempts: 0,
        accepted: 0,
        reasons: {},
      };
      entry.attempts++;
      if (attempt.accepted) entry.accepted++;
      for (const reason of attempt.reasons) {
        const name = reason.split(':')[0]!;
        entry.reasons[name] = (entry.reasons[name] ?? 0) + 1;
      }
      teachers.set(attempt.teacher, entry);
    }
  const toolMix: Record<string, number> = {};
  for (const row of store.stageItems('teachers', 'kept')) {
    const trajectory = (row.data as { accepted?: { trajectory: Trajectory } }).accepted?.trajectory;
    if (!trajectory) continue;
    for (const [category, count] of Object.entries(summarizeToolUse(trajectory).toolMix))
      toolMix[category] = (toolMix[category] ?? 0) + (count ?? 0);
  }
  const mixes: CurationSummary['mixes'] = [];
  for (const stage of ['sft-export', 'rl-export'] as const) {
    const settings = store.stageSettings(stage) as { shares?: Record<string, number> | null } | undefined;
    if (!settings) continue;
    const taken: Record<string, number> = {};
    for (const row of store.stageItems(stage, 'kept'))
      taken[row.detail ?? '?'] = (taken[row.detail ?? '?'] ?? 0) + 1;
    const total = Object.values(taken).reduce((sum, count) => sum + count, 0);
    const shares = settings.shares ?? {};
    const shareSum = Object.values(shares).reduce((sum, share) => sum + share, 0) || 1;
    for (const group of new Set([...Object.keys(shares), ...Object.keys(taken)]))
      mixes.push({
        export: stage,
        group,
        target: settings.shares ? (shares[group] ?? 0) / shareSum : Number.NaN,
        taken: taken[group] ?? 0,
        share: total ? (taken[group] ?? 0) / total : 0,
      });
  }
  return {
    funnel,
    badRows: store.badRows().length,
    drops: store.dropCounts(),
    passRates: { noTools: rates('difficulty', 'noTools'), withTools: rates('tool-benefit', 'withTools') },
    pools,
    teachers: [...teachers.values()],
    toolMix,
    mixes,
  };
}
