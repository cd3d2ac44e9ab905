import { z } from 'zod';
import { CATEGORIES } from '../curation-item.js';

export const SOURCE_FORMATS = ['jsonl', 'json', 'parquet', 'tsv', 'folder'] as const;
export const PRESETS = ['deepeyesv2-rl', 'deepeyesv2-sft', 'mmsearch-r1', 'vlmevalkit'] as const;
export type Preset = (typeof PRESETS)[number];

/** Where each item field is read from: a column name or a dotted path into a struct column. */
export const fieldMappingSchema = z.strictObject({
  id: z.string().optional(),
  question: z.string().optional(),
  answer: z.string().optional(),
  options: z.string().optional(),
  category: z.string().optional(),
  answerType: z.string().optional(),
  /** A column of image file names or base64 (image columns the loaders know are read anyway). */
  images: z.string().optional(),
});
export type FieldMapping = z.infer<typeof fieldMappingSchema>;

/** One input of the ingest stage. */
export const sourceSchema = z.strictObject({
  path: z.string().min(1),
  /** Shown in the report and prefixed to ids; default: the file name. */
  name: z.string().min(1).optional(),
  /** Default from the extension (`.jsonl`, `.json`, `.parquet`, `.tsv`; a directory is `folder`). */
  format: z.enum(SOURCE_FORMATS).optional(),
  preset: z.enum(PRESETS).optional(),
  /** The category of every row without one of its own. */
  category: z.enum(CATEGORIES).optional(),
  /** Folder that image file names are relative to (JSONL/JSON). */
  imageDir: z.string().optional(),
  fields: fieldMappingSchema.default({}),
  /** Only the first N rows. */
  limit: z.number().int().positive().optional(),
});
export type SourceConfig = z.infer<typeof sourceSchema>;

/** `path[:preset][@category]` on the command line, e.g. `rl/reason.parquet:deepeyesv2-rl`. */
export function parseSourceArgument(argument: string): SourceConfig {
  const match = /^(.*?)(?::([a-z0-9-]+))?(?:@([a-z]+))?$/u.exec(argument);
  const path = match?.[1] ?? argument;
  const preset = match?.[2];
  const category = match?.[3];
  return sourceSchema.parse({
    path,
    ...(preset ? { preset } : {}),
    ...(category ? { category } : {}),
  });
}
