import { basename } from 'node:path';
import { loadDataset, readImageSource } from '../../eval/datasets/load-dataset.js';
import { perceptualHash } from '../store/image-store.js';
import { DuplicateIndex } from './duplicate-index.js';
import { normalizeQuestion } from './normalize-question.js';

/**
 * The benchmark questions to keep out of training data, read by the evaluation loaders (VLMEvalKit
 * TSV, Hugging Face parquet, JSONL + images). An item matches a benchmark row when their normalised
 * questions are equal and their images are the same picture (pHash within `maxDistance`).
 */
export async function loadBenchmarkIndex(
  files: readonly string[],
  maxDistance: number,
): Promise<DuplicateIndex> {
  const index = new DuplicateIndex(maxDistance);
  for (const file of files) {
    const dataset = await loadDataset(file);
    for (const row of dataset.rows) {
      const question = String(row.fields.question ?? row.fields.query ?? row.fields.problem ?? '');
      if (question.trim() === '') continue;
      const hashes = [];
      for (const source of row.images) hashes.push(await perceptualHash(await readImageSource(source)));
      index.add({
        id: `${basename(file)} row ${row.rowNumber + 1}`,
        question: normalizeQuestion(question),
        images: hashes.map(() => ''),
        hashes,
      });
    }
  }
  return index;
}
