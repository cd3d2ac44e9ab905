import type { ChatModel } from '../../model/chat-model.js';
import { type CurationItem, curationItemSchema } from '../curation-item.js';
import { progressTracker, type StageContext, type StageOutcome } from '../pipeline/stage-context.js';
import { runPool } from '../pipeline/work-pool.js';
import type { PerceptualHash } from '../store/image-store.js';
import { loadBenchmarkIndex } from './decontaminate.js';
import { DuplicateIndex } from './duplicate-index.js';
import { normalizeQuestion } from './normalize-question.js';
import { rewriteChoiceItem } from './rewrite-choice.js';
import { type Drop, type VerifySettings, verifyItem } from './verify-item.js';

export type CleanSettings = {
  verify: VerifySettings;
  /** Rewrite multiple-choice items into open-ended ones with this model (its name pins the cache). */
  rewriteModel: string | null;
  /** pHash bits two copies of one picture may differ by. */
  maxHashDistance: number;
  /** Benchmark files to decontaminate against. */
  decontaminate: string[];
};

export type CleanDependencies = {
  /** The rewrite model, already wrapped in the store's cache. */
  rewriter?: ChatModel;
};

type Prepared = { item: CurationItem; drop?: Drop; hashes: (PerceptualHash | null)[] };

/**
 * Stage 2: drop what cannot be verified, optionally rewrite multiple-choice items, then remove exact
 * and near duplicates (first seen wins) and items found in the benchmark files. Verification,
 * rewrites and hashing run concurrently; duplicates are decided in source order so the result does
 * not depend on timing.
 */
export async function runClean(
  settings: CleanSettings,
  context: StageContext,
  dependencies: CleanDependencies = {},
): Promise<StageOutcome> {
  const { store } = context;
  const begun = store.beginStage('clean', settings);
  if (begun.finished)
    return { stage: 'clean', ...store.counts('clean'), workDone: 0, failed: 0, finished: true };
  if (begun.reset) context.log?.('clean: settings changed, cleaning again (later stages start over)');
  const input = store.stageItems('ingest', 'kept');
  const decided = store.decidedIds('clean');
  const duplicates = new DuplicateIndex(settings.maxHashDistance);
  // Items kept by an interrupted run still count as "seen first".
  for (const row of store.stageItems('clean', 'kept')) {
    const item = curationItemSchema.parse(row.data);
    duplicates.add(await fingerprint(item, context));
  }
  const benchmarks = settings.decontaminate.length
    ? await loadBenchmarkIndex(settings.decontaminate, settings.maxHashDistance)
    : undefined;
  const pending = input.filter((row) => !decided.has(row.id));
  const progress = progressTracker(context, 'clean', 'items', input.length, input.length - pending.length);
  const prepared = new Map<string, Prepared>();
  let failed = 0;
  const pool = await runPool({
    tasks: pending,
    concurrency: context.concurrency,
    signal: context.signal,
    onTaskError: (row, error) => {
      failed++;
      context.log?.(`clean: ${row.id}: ${(error as Error).message}`);
    },
    run: async (row, signal) => {
      let item = curationItemSchema.parse(row.data);
      let drop = verifyItem(item, settings.verify) ?? undefined;
      if (!drop && item.answerType === 'choice' && dependencies.rewriter) {
        const rewrite = await rewriteChoiceItem(item, dependencies.rewriter, signal);
        if (rewrite.kind === 'skipped') drop = { reason: 'rewrite-skipped', detail: rewrite.reason };
        else {
          item = rewrite.item;
          drop = verifyItem(item, settings.verify) ?? undefined;
        }
      }
      const hashes = drop ? [] : (await fingerprint(item, context)).hashes;
      prepared.set(row.id, { item, ...(drop ? { drop } : {}), hashes });
      progress.tick();
    },
  });
  // Decide in source order; an item whose preparation failed stays undecided (a rerun retries it).
  for (const row of pending) {
    const ready = prepared.get(row.id);
    if (!ready) continue;
    const { item } = ready;
    let drop = ready.drop;
    const entry = {
      id: item.id,
      question: normalizeQuestion(item.question),
      images: item.images.map((image) => image.sha256),
      hashes: ready.hashes,
    };
    if (!drop) {
      const contaminated = benchmarks?.find(entry);
      const duplicate = contaminated ? undefined : duplicates.find(entry);
      if (contaminated) drop = { reason: 'contaminated', detail: `matches ${contaminated.of.id}` };
      else if (duplicate) drop = { reason: `duplicate-${duplicate.kind}`, detail: `of ${duplicate.of.id}` };
    }
    if (!drop) duplicates.add(entry);
    store.putStageItem('clean', {
      id: item.id,
      position: row.position,
      status: drop ? 'dropped' : 'kept',
      reason: drop?.reason ?? null,
      detail: drop?.detail ?? null,
      data: item,
    });
  }
  const finished = !pool.stopped && failed === 0;
  if (finished) store.finishStage('clean');
  return { stage: 'clean', ...store.counts('clean'), workDone: prepared.size, failed, finished };
}

async function fingerprint(item: CurationItem, context: StageContext) {
  const hashes: (PerceptualHash | null)[] = [];
  for (const image of item.images) hashes.push(await context.images.phash(image.sha256));
  return {
    id: item.id,
    question: normalizeQuestion(item.question),
    images: item.images.map((image) => image.sha256),
    hashes,
  };
}
