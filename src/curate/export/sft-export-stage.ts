import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { StoredImage, Trajectory } from '../../agent/trajectory.js';
import { probeImage } from '../../image/index.js';
import type { CurationItem } from '../curation-item.js';
import { progressTracker, type StageContext, type StageOutcome } from '../pipeline/stage-context.js';
import { SHA_PREFIX } from '../store/store-trajectory.js';
import { type ExtraSftSource, readExtraSft } from './extra-sft.js';
import { applyMix, type MixPlan, planMix } from './mix-shares.js';
import { trajectoryToSft } from './trajectory-to-sft.js';
import { type SftLimits, type SftSample, validateSftSample } from './validate-sft.js';
import { placeFile, writeAtomic } from './write-export-files.js';

export type SftExportSettings = SftLimits & {
  /** Export folder: dataset JSON, dataset_info.json, export-manifest.json, media/. */
  out: string;
  /** Name of the dataset in dataset_info.json (what `--dataset` / the YAML `dataset:` names). */
  datasetName: string;
  /** LLaMA-Factory template the lengths were measured with. */
  template: string;
  /** Target shares per group (`long-cot`, `reasoning`, `perception`, `search`, …); null keeps all. */
  shares: Record<string, number> | null;
  /** Cap on the number of samples. */
  maxSamples?: number;
  extra: ExtraSftSource[];
};

export type SftExportDependencies = { countTokens: (text: string) => number };

export type SftExportResult = StageOutcome & {
  plan: MixPlan;
  failures: { id: string; problems: string[] }[];
  directory: string;
};

type Candidate = {
  id: string;
  position: number;
  group: string;
  messages: SftSample['messages'];
  /** Where each image's bytes are and what it is called under media/. */
  images: { source: string; name: string; width: number; height: number }[];
};

export const MEDIA_DIR = 'media';

/**
 * Stage 6: accepted teacher trajectories plus user-supplied SFT files → a LLaMA-Factory sharegpt
 * export. Every sample is validated as LLaMA-Factory would before anything is written (it drops a
 * failing sample with only a warning); failures are recorded per item with their reasons and listed
 * in `sft-failures.jsonl`, never dropped silently. Valid samples are mixed to the target shares.
 * The export is rebuilt whole on every run (it is fast), files written atomically.
 */
export async function runSftExport(
  settings: SftExportSettings,
  context: StageContext,
  dependencies: SftExportDependencies,
): Promise<SftExportResult> {
  const { store } = context;
  store.beginStage('sft-export', settings);
  store.clearStageItems('sft-export');
  const directory = resolve(settings.out);
  const candidates: Candidate[] = [];
  const failures: { id: string; problems: string[] }[] = [];
  const teachers = store.stageItems('teachers', 'kept');
  for (const row of teachers) {
    const data = row.data as CurationItem & { accepted: { trajectory: Trajectory } };
    try {
      const draft = trajectoryToSft(data.accepted.trajectory);
      candidates.push({
        id: row.id,
        position: row.position,
        group: data.category,
        messages: draft.messages,
        images: draft.images.map((image) => storedImage(context, image)),
      });
    } catch (error) {
      failures.push({ id: row.id, problems: [(error as Error).message] });
    }
  }
  let position = teachers.length;
  const badRows: { file: string; row: number; reason: string }[] = [];
  for (const source of settings.extra) {
    const { samples, bad } = await readExtraSft(source);
    badRows.push(...bad);
    for (const sample of samples) {
      const images: Candidate['images'] = [];
      const problems: string[] = [];
      for (const path of sample.imagePaths) {
        try {
          const bytes = new Uint8Array(await readFile(path));
          const stored = await context.images.put(bytes);
          if (stored.width === null || stored.height === null) throw new Error('not a readable image');
          images.push({
            ...storedImage(context, {
              path: `${SHA_PREFIX}${stored.sha256}`,
              width: stored.width,
              height: stored.height,
            }),
          });
        } catch (error) {
          problems.push(`image ${path}: ${(error as Error).message}`);
        }
      }
      if (problems.length) failures.push({ id: sample.id, problems });
      else
        candidates.push({
          id: sample.id,
          position: position++,
          group: sample.category,
          messages: sample.messages,
          images,
        });
    }
  }
  store.putBadRows(badRows);
  const progress = progressTracker(context, 'sft-export', 'samples', candidates.length, 0);
  const valid: Candidate[] = [];
  for (const candidate of candidates) {
    const problems = validateSftSample(
      { messages: candidate.messages, images: candidate.images.map((image) => image.name) },
      candidate.images,
      dependencies.countTokens,
      settings,
    );
    if (problems.length) failures.push({ id: candidate.id, problems });
    else valid.push(candidate);
    progress.tick();
  }
  const available: Record<string, number> = {};
  for (const candidate of valid) available[candidate.group] = (available[candidate.group] ?? 0) + 1;
  const plan = planMix(available, settings.shares, {
    ...(settings.maxSamples ? { maxTotal: settings.maxSamples } : {}),
  });
  const { taken, surplus } = applyMix(valid, (candidate) => candidate.group, plan);

  for (const candidate of taken)
    for (const image of candidate.images) placeFile(image.source, join(directory, MEDIA_DIR, image.name));
  const samples = taken.map((candidate) => ({
    messages: candidate.messages,
    images: candidate.images.map((image) => image.name),
  }));
  const dataFile = `${settings.datasetName}.json`;
  const files: Record<string, string> = {};
  files[dataFile] = writeAtomic(join(directory, dataFile), `${JSON.stringify(samples, null, 1)}\n`);
  const info = {
    [settings.datasetName]: {
      file_name: dataFile,
      formatting: 'sharegpt',
      columns: { messages: 'messages', images: 'images' },
      tags: {
        role_tag: 'role',
        content_tag: 'content',
        user_tag: 'user',
        assistant_tag: 'assistant',
        system_tag: 'system',
      },
    },
  };
  files['dataset_info.json'] = writeAtomic(
    join(directory, 'dataset_info.json'),
    `${JSON.stringify(info, null, 2)}\n`,
  );
  files['sft-failures.jsonl'] = writeAtomic(
    join(directory, 'sft-failures.jsonl'),
    failures.map((failure) => `${JSON.stringify(failure)}\n`).join(''),
  );
  const manifest = {
    image_max_pixels: settings.imageMaxPixels,
    image_min_pixels: settings.imageMinPixels,
    cutoff_len: settings.cutoffLen,
    template: settings.template,
    datasets: [settings.datasetName],
    media_dir: MEDIA_DIR,
    samples: samples.length,
    mix: { target: plan.target, available: plan.available, taken: plan.take, missing: plan.missing },
    failures: failures.length,
    files,
    created_by: 'deepeyes curate sft-export',
  };
  writeAtomic(join(directory, 'export-manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const byId = new Map(candidates.map((candidate) => [candidate.id, candidate]));
  store.putStageItems('sft-export', [
    ...taken.map((candidate) => ({
      id: candidate.id,
      position: candidate.position,
      status: 'kept' as const,
      reason: null,
      detail: candidate.group,
      data: { group: candidate.group, images: candidate.images.length, turns: candidate.messages.length },
    })),
    ...surplus.map((candidate) => ({
      id: candidate.id,
      position: candidate.position,
      status: 'dropped' as const,
      reason: 'mix-surplus',
      detail: candidate.group,
      data: { group: candidate.group },
    })),
    ...failures.map((failure, index) => ({
      id: failure.id,
      position: byId.get(failure.id)?.position ?? position + index,
      status: 'dropped' as const,
      reason: 'invalid-sample',
      detail: failure.problems.join('; '),
      data: { group: byId.get(failure.id)?.group ?? null },
    })),
  ]);
  if (plan.missing.length)
    context.log?.(
      `sft-export: no samples for ${plan.missing.join(', ')}; the other shares were renormalised`,
    );
  if (failures.length)
    context.log?.(
      `sft-export: ${failures.length} samples failed validation (listed in ${join(directory, 'sft-failures.jsonl')})`,
    );
  store.finishStage('sft-export');
  return {
    stage: 'sft-export',
    ...store.counts('sft-export'),
    workDone: progress.doneThisSession,
    failed: 0,
    finished: true,
    plan,
    failures,
    directory,
  };
}

function storedImage(context: StageContext, image: StoredImage): Candidate['images'][number] {
  if (!image.path.startsWith(SHA_PREFIX)) throw new Error(`image ${image.path} is not in the image store`);
  const sha = image.path.slice(SHA_PREFIX.length);
  const source = context.images.pathOf(sha);
  return { source, name: `${sha}${extname(source)}`, width: image.width, height: image.height };
}
