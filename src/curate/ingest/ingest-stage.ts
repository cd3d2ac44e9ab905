import { readFile } from 'node:fs/promises';
import { basename, isAbsolute, resolve } from 'node:path';
import { decodeBase64Image } from '../../eval/datasets/sniff-image.js';
import type { CurationItem, StoredImageRef } from '../curation-item.js';
import { progressTracker, type StageContext, type StageOutcome } from '../pipeline/stage-context.js';
import { classifyAnswer } from './classify-answer.js';
import { mapRow } from './map-row.js';
import { readImageSource, readSource } from './read-source.js';
import type { SourceConfig } from './source-config.js';

export type IngestSettings = { sources: SourceConfig[] };

/**
 * Stage 1: every source row becomes an item with a category and an answer type, its images stored
 * once by sha256. Rows that cannot be read or mapped are recorded with their file and line and
 * skipped. Rows already ingested by an interrupted run are not redone.
 */
export async function runIngest(settings: IngestSettings, context: StageContext): Promise<StageOutcome> {
  const { store } = context;
  const begun = store.beginStage('ingest', settings);
  if (begun.finished)
    return { stage: 'ingest', ...store.counts('ingest'), workDone: 0, failed: 0, finished: true };
  if (begun.reset) context.log?.('ingest: settings changed, ingesting again (later stages start over)');
  const done = store.decidedIds('ingest');
  const usedIds = new Set(done);
  let position = 0;
  let workDone = 0;
  for (const source of settings.sources) {
    const name = source.name ?? basename(source.path).replace(/\.[^.]+$/u, '');
    const files = await readSource(source);
    for (const file of files) {
      store.putBadRows(
        file.badRows.map((bad) => ({ file: file.file, row: bad.row + 1, reason: bad.reason })),
      );
      const rows = source.limit ? file.rows.slice(0, source.limit) : file.rows;
      const progress = progressTracker(context, 'ingest', 'rows', rows.length, 0);
      for (const row of rows) {
        if (context.signal?.aborted)
          return { stage: 'ingest', ...store.counts('ingest'), workDone, failed: 0, finished: false };
        position++;
        const where = { file: file.file, row: row.rowNumber + 1 };
        const mapped = mapRow(row.fields, source);
        if (typeof mapped === 'string') {
          store.putBadRows([{ ...where, reason: mapped }]);
          progress.tick();
          continue;
        }
        const id = `${name}:${mapped.id ?? row.rowNumber + 1}`;
        if (done.has(id)) {
          progress.tick();
          continue;
        }
        if (usedIds.has(id)) {
          store.putBadRows([{ ...where, reason: `duplicate id ${id} within the source` }]);
          progress.tick();
          continue;
        }
        usedIds.add(id);
        const images: StoredImageRef[] = [];
        try {
          for (const image of row.images) images.push(await context.images.put(await readImageSource(image)));
          for (const reference of mapped.imageReferences ?? [])
            images.push(await context.images.put(await readReference(reference, source, file.file)));
        } catch (error) {
          store.putBadRows([{ ...where, reason: `image unreadable: ${(error as Error).message}` }]);
          progress.tick();
          continue;
        }
        const item: CurationItem = {
          id,
          source: name,
          category: mapped.category,
          answerType: mapped.answerType ?? classifyAnswer(mapped.answer, mapped.options),
          question: mapped.question,
          answer: mapped.answer,
          ...(mapped.options ? { options: mapped.options } : {}),
          images,
          origin: where,
        };
        store.putStageItem('ingest', {
          id,
          position,
          status: 'kept',
          reason: null,
          detail: null,
          data: item,
        });
        workDone++;
        progress.tick();
      }
    }
  }
  store.finishStage('ingest');
  return { stage: 'ingest', ...store.counts('ingest'), workDone, failed: 0, finished: true };
}

async function readReference(reference: string, source: SourceConfig, file: string): Promise<Uint8Array> {
  if (reference.length > 256) {
    const bytes = decodeBase64Image(reference);
    if (!bytes) throw new Error('inline image is not base64 of a known image format');
    return bytes;
  }
  const folder = source.imageDir ?? resolve(file, '..');
  return new Uint8Array(await readFile(isAbsolute(reference) ? reference : resolve(folder, reference)));
}
