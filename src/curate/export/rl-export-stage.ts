import { join, resolve } from 'node:path';
import { type CurationItem, curationItemSchema } from '../curation-item.js';
import { progressTracker, type StageContext, type StageOutcome } from '../pipeline/stage-context.js';
import { applyMix, type MixPlan, planMix } from './mix-shares.js';
import { RL_CHUNK_ROWS, type RlLayout, type RlRow, writeRlParquet } from './rl-parquet.js';
import { writeAtomic } from './write-export-files.js';

export type RlExportSettings = {
  /** Export folder: one parquet per layout and rl-manifest.json. */
  out: string;
  /** `deepeyesv2` (the fork: env_name) and/or `verl` (upstream: agent_name + tools_kwargs). */
  layouts: RlLayout[];
  /** Target shares per category; null keeps the whole RL pool. */
  shares: Record<string, number> | null;
  maxSamples?: number;
  /** `agent_name` of the upstream layout (the verl adapter's registered loop). */
  agentName: string;
  /** Rows read and written at a time (one parquet row group each); default `RL_CHUNK_ROWS`. */
  chunkRows?: number;
};

export type RlExportResult = StageOutcome & {
  plan: MixPlan;
  files: Record<string, string>;
  directory: string;
};

/** The parquet file a layout is written to. */
export function rlFileName(layout: RlLayout): string {
  return `rl-${layout}.parquet`;
}

/**
 * Stage 7: the RL pool (items tools solved at least once) → verl parquet in each layout, mixed to
 * the target shares by category. Rebuilt whole on every run; files written atomically.
 */
export async function runRlExport(
  settings: RlExportSettings,
  context: StageContext,
): Promise<RlExportResult> {
  const { store } = context;
  store.beginStage('rl-export', settings);
  store.clearStageItems('rl-export');
  const directory = resolve(settings.out);
  const pool = store
    .stageItems('tool-benefit', 'kept')
    .map((row) => ({ position: row.position, item: curationItemSchema.parse(row.data) }))
    .filter((entry) => entry.item.pool === 'rl');
  const available: Record<string, number> = {};
  for (const { item } of pool) available[item.category] = (available[item.category] ?? 0) + 1;
  const plan = planMix(
    available,
    settings.shares,
    settings.maxSamples ? { maxTotal: settings.maxSamples } : {},
  );
  const { taken, surplus } = applyMix(pool, (entry) => entry.item.category, plan);
  const progress = progressTracker(context, 'rl-export', 'rows', taken.length * settings.layouts.length, 0);
  const files: Record<string, string> = {};
  for (const layout of settings.layouts) {
    // Rows (with their image bytes) are read a chunk at a time, as the writer asks for them.
    async function* chunks(): AsyncGenerator<RlRow[]> {
      const size = settings.chunkRows ?? RL_CHUNK_ROWS;
      for (let start = 0; start < taken.length; start += size) {
        const chunk: RlRow[] = [];
        for (const { item } of taken.slice(start, start + size))
          chunk.push({ item, images: await imagesOf(item, context) });
        yield chunk;
        progress.tick(chunk.length);
      }
    }
    const written = await writeRlParquet(join(directory, rlFileName(layout)), chunks(), layout, {
      agentName: settings.agentName,
      rowGroupRows: settings.chunkRows ?? RL_CHUNK_ROWS,
    });
    files[rlFileName(layout)] = written.sha256;
  }
  const manifest = {
    layouts: settings.layouts,
    rows: taken.length,
    mix: { target: plan.target, available: plan.available, taken: plan.take, missing: plan.missing },
    files,
    created_by: 'deepeyes curate rl-export',
  };
  writeAtomic(join(directory, 'rl-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  store.putStageItems('rl-export', [
    ...taken.map(({ item, position }) => ({
      id: item.id,
      position,
      status: 'kept' as const,
      reason: null,
      detail: item.category,
      data: { group: item.category },
    })),
    ...surplus.map(({ item, position }) => ({
      id: item.id,
      position,
      status: 'dropped' as const,
      reason: 'mix-surplus',
      detail: item.category,
      data: { group: item.category },
    })),
  ]);
  if (plan.missing.length)
    context.log?.(`rl-export: no items for ${plan.missing.join(', ')}; the other shares were renormalised`);
  store.finishStage('rl-export');
  return {
    stage: 'rl-export',
    ...store.counts('rl-export'),
    workDone: taken.length,
    failed: 0,
    finished: true,
    plan,
    files,
    directory,
  };
}

async function imagesOf(item: CurationItem, context: StageContext): Promise<RlRow['images']> {
  return Promise.all(
    item.images.map(async (image) => {
      const path = context.images.pathOf(image.sha256);
      return { bytes: await context.images.read(image.sha256), path: path.slice(path.lastIndexOf('/') + 1) };
    }),
  );
}
