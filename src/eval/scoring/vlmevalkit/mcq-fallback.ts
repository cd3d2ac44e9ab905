import { z } from 'zod';
import { hashString, seededRandom } from '../../seeded-random.js';

/**
 * What `vlmevalkit` mode does when neither `can_infer` nor three judge replies name an option. The fork's
 * `extract_answer_from_item` then returns `rd.choice(letters + ['Z'])`: a uniformly random option letter
 * or Z (which goes on to the verify judge), from Python's unseeded global RNG in judge threads, so its
 * draws cannot be replayed. `random` (the default) draws the same way from a seeded stream of our own,
 * keyed by item, so a run and its re-scoring give the same letters; `wrong` scores the item wrong
 * instead. The choice and its seed are recorded in the run (`scoring.mcqFallback`).
 */
export const mcqFallbackSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('random'), seed: z.number().int() }),
  z.object({ kind: z.literal('wrong') }),
]);
export type McqFallback = z.infer<typeof mcqFallbackSchema>;

export const DEFAULT_MCQ_FALLBACK: McqFallback = { kind: 'random', seed: 0 };

/**
 * The fork's candidates (every option letter, then Z; only the letters when an option is itself called Z,
 * where the fork's `rd.choice([])` would crash) and the one drawn for this item: it depends only on the
 * seed and the item key, not on the order or concurrency items are scored in.
 */
export function drawFallbackLetter(letters: readonly string[], seed: number, itemKey: string): string {
  const candidates = letters.includes('Z') ? [...letters] : [...letters, 'Z'];
  const random = seededRandom(hashString(`mcq-fallback:${seed}:${itemKey}`));
  return candidates[Math.floor(random() * candidates.length)]!;
}
