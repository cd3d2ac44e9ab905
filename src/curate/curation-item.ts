import { z } from 'zod';

/** The paper's three data categories (DeepEyesV2 §3.3, Fig. 9). */
export const CATEGORIES = ['perception', 'reasoning', 'search'] as const;
export type Category = (typeof CATEGORIES)[number];

/** How an answer is checked: a letter, a number, yes/no, a short phrase, or a math expression. */
export const ANSWER_TYPES = ['choice', 'number', 'yes-no', 'short-text', 'math'] as const;
export type AnswerType = (typeof ANSWER_TYPES)[number];

/** The pipeline's stages, in order. */
export const STAGES = [
  'ingest',
  'clean',
  'difficulty',
  'tool-benefit',
  'teachers',
  'sft-export',
  'rl-export',
  'report',
] as const;
export type StageName = (typeof STAGES)[number];

/** One image of an item: the sha256 of its bytes names the file in the store's `images/`. */
export const storedImageRefSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
});
export type StoredImageRef = z.infer<typeof storedImageRefSchema>;

/** A question as the pipeline carries it from ingest to export. */
export const curationItemSchema = z.object({
  id: z.string().min(1),
  /** The source's name (config `name`, else the file name): the report groups by it. */
  source: z.string(),
  category: z.enum(CATEGORIES),
  answerType: z.enum(ANSWER_TYPES),
  question: z.string(),
  answer: z.string(),
  /** Multiple-choice options by letter, when the source has them. */
  options: z.record(z.string(), z.string()).optional(),
  images: z.array(storedImageRefSchema),
  /** Where the row came from, for every report line about it. */
  origin: z.object({ file: z.string(), row: z.number().int() }),
  /** Set when the clean stage rewrote a multiple-choice item: the item as it was. */
  original: z
    .object({
      question: z.string(),
      answer: z.string(),
      answerType: z.enum(ANSWER_TYPES),
      options: z.record(z.string(), z.string()).optional(),
    })
    .optional(),
  /** Correct rollouts out of k, filled by the difficulty (no tools) and tool-benefit (tools) stages. */
  passRates: z
    .object({
      noTools: z.object({ passes: z.number().int(), k: z.number().int() }).optional(),
      withTools: z.object({ passes: z.number().int(), k: z.number().int() }).optional(),
    })
    .optional(),
  /** Where the tool-benefit stage sent the item: RL when tools solved it at least once. */
  pool: z.enum(['rl', 'cold-start']).optional(),
});
export type CurationItem = z.infer<typeof curationItemSchema>;

/** The reward layer's data source for a category (it picks the formula and the judge style). */
export function dataSourceFor(category: Category): 'perception' | 'reason' | 'search' {
  return category === 'reasoning' ? 'reason' : category;
}
