import { z } from 'zod';

/** One searchable passage of an offline corpus (a JSONL line or a parquet row). */
export const passageSchema = z.object({
  id: z.union([z.string().min(1), z.number().int()]).transform(String),
  title: z.string(),
  text: z.string(),
  url: z.string().nullish(),
  date: z.string().nullish(),
});

export type Passage = {
  id: string;
  title: string;
  text: string;
  /** Shown as the result's link; passages without one get `passage:{id}`. */
  url?: string;
  /** Shown as "Date published"; keep the provider's own wording, e.g. `Mar 3, 2024`. */
  date?: string;
};

/** Validates one raw row; `where` names it in the error (file and line or row). */
export function toPassage(raw: unknown): Passage | z.ZodError {
  const parsed = passageSchema.safeParse(raw);
  if (!parsed.success) return parsed.error;
  const { id, title, text, url, date } = parsed.data;
  return { id, title, text, ...(url ? { url } : {}), ...(date ? { date } : {}) };
}
