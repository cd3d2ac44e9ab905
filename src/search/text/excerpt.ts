/**
 * A window of a long passage around the first place a query word occurs, cut at word boundaries,
 * with `…` where text was left out. Query words match as prefixes so a stemmed match
 * ("lighthouses" for "lighthouse") is found too.
 */
export function excerptAround(text: string, terms: string[], maxChars: number): string {
  if (text.length <= maxChars) return text;
  const lower = text.toLowerCase();
  let first = -1;
  for (const term of terms) {
    const stem = term.length > 5 ? term.slice(0, -2) : term;
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(stem)}`, 'u');
    const match = pattern.exec(lower);
    if (match && (first === -1 || match.index < first)) first = match.index;
  }
  // A third of the window before the match gives the sentence it sits in some context.
  let start = first <= 0 ? 0 : Math.max(0, first - Math.floor(maxChars / 3));
  if (start + maxChars > text.length) start = Math.max(0, text.length - maxChars);
  let end = Math.min(text.length, start + maxChars);
  if (start > 0) {
    const space = text.indexOf(' ', start);
    if (space !== -1 && space < first) start = space + 1;
  }
  if (end < text.length) {
    const space = text.lastIndexOf(' ', end);
    if (space > start) end = space;
  }
  return `${start > 0 ? '…' : ''}${text.slice(start, end).trim()}${end < text.length ? '…' : ''}`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
