/**
 * Turns a free-text query (what the model writes in a `search` call) into FTS5 match expressions.
 * FTS5 syntax is never passed through: every term is quoted, so `AND`, `"`, `*`, `-` or `:` in a
 * query cannot raise a syntax error or change the meaning.
 */

// Words too common to rank on. BM25 would give them near-zero weight anyway, but each one forces
// FTS5 to score its whole posting list, which is what makes naive queries slow at 1M passages.
const STOPWORDS = new Set(
  (
    'a an and are as at be been but by can did do does for from had has have how i if in into is it its ' +
    'me my of on or our so than that the their them then there these they this to was we were what when ' +
    'where which who whom whose why will with you your about after before also any each find search show tell'
  ).split(' '),
);

const MAX_TERMS = 32;

/** Lower-cased word tokens of the query, stopwords removed unless nothing else remains; deduplicated. */
export function queryTerms(query: string): string[] {
  const words =
    query
      .normalize('NFKC')
      .toLowerCase()
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  const unique = [...new Set(words)];
  const content = unique.filter((word) => !STOPWORDS.has(word));
  return (content.length > 0 ? content : unique).slice(0, MAX_TERMS);
}

const quote = (term: string): string => `"${term.replaceAll('"', '""')}"`;

/** Every term must match (tried first: fast, because the rarest term drives the intersection). */
export function allTermsExpression(terms: readonly string[]): string {
  return terms.map(quote).join(' AND ');
}

/** Any term may match (the fallback when too few passages hold every term). */
export function anyTermExpression(terms: readonly string[]): string {
  return terms.map(quote).join(' OR ');
}
