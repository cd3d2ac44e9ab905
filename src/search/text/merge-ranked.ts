/** A passage (by rowid) with its FTS5 BM25 score: more negative is better. */
export type Ranked = { rowid: number; score: number };

/**
 * The best `limit` of several ranked lists over the same query: passages holding every query word
 * first, then the rest, each group by score (ties by rowid, so results are stable). A passage in
 * several lists keeps its best score: a list scored over more of the query's words gives the fuller
 * BM25 (FTS5's BM25 sums one part per word the passage holds).
 */
export function mergeRanked(holdingEvery: ReadonlySet<number>, lists: Ranked[][], limit: number): Ranked[] {
  const best = new Map<number, number>();
  for (const list of lists) {
    for (const { rowid, score } of list) best.set(rowid, Math.min(score, best.get(rowid) ?? 0));
  }
  const group = (rowid: number) => (holdingEvery.has(rowid) ? 0 : 1);
  return [...best.entries()]
    .map(([rowid, score]) => ({ rowid, score }))
    .sort((a, b) => group(a.rowid) - group(b.rowid) || a.score - b.score || a.rowid - b.rowid)
    .slice(0, limit);
}
