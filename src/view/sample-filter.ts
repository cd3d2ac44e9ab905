import { z } from 'zod';
import { TOOL_CATEGORIES } from '../eval/analytics/tool-category.js';

/** Which samples the grid shows: the query string of `GET /api/runs/:run/samples`, validated. */
export const sampleFilterSchema = z.object({
  verdict: z.enum(['right', 'wrong', 'error', 'pending']).optional(),
  errorKind: z.string().max(100).optional(),
  category: z.string().max(200).optional(),
  capability: z.enum(['perception', 'search', 'reason', 'integration']).optional(),
  tools: z.enum(['none', 'code', 'search', 'both']).optional(),
  toolCategory: z.enum(TOOL_CATEGORIES).optional(),
  turnsMin: z.coerce.number().int().min(0).optional(),
  turnsMax: z.coerce.number().int().min(0).optional(),
  stopReason: z.string().max(100).optional(),
  /** Full-text search over question, reasoning, code, stdout/stderr, search results and answer. */
  q: z.string().max(500).optional(),
  sort: z.enum(['position', 'turns', 'duration', 'id']).default('position'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type SampleFilter = z.infer<typeof sampleFilterSchema>;

export const pageSchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

/** One grid row: what the Samples view shows without opening the trajectory. */
export type SampleRow = {
  id: string;
  position: number;
  verdict: 'right' | 'wrong' | 'error' | 'pending' | 'unscored';
  category: string;
  capabilities: string;
  question: string;
  prediction: string | null;
  reference: string;
  tools: 'none' | 'code' | 'search' | 'both';
  toolCategories: string[];
  toolCalls: number;
  turns: number;
  durationMs: number;
  stopReason: string | null;
  errorKind: string | null;
};

/**
 * An FTS5 MATCH expression from what a user typed: every word must appear (a prefix match on each), and
 * FTS5 syntax characters are quoted away, so `a"b OR (` cannot break the query.
 */
export function ftsQuery(text: string): string | undefined {
  const words = text
    .split(/\s+/)
    .map((word) => word.replace(/"/g, '""'))
    .filter((word) => /[\p{L}\p{N}]/u.test(word));
  if (words.length === 0) return undefined;
  return words.map((word) => `"${word}"*`).join(' ');
}
