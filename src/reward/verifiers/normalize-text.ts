/**
 * Short-answer normalisation as QA benchmarks do it (SQuAD style): lower case, drop punctuation and the
 * articles a/an/the, collapse whitespace. Letters and digits of every script are kept.
 */
export function normalizeShortAnswer(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, ' ')
    .replace(/\b(a|an|the)\b/gu, ' ')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Strips wrapping the model often adds around a short answer: `\boxed{}`, `\text{}`, `$…$`, quotes, a final period. */
export function unwrapAnswer(text: string): string {
  let value = text.trim();
  for (let changed = true; changed; ) {
    const before = value;
    value = value
      .replace(/^\\boxed\{([\s\S]*)\}$/u, '$1')
      .replace(/^\\text\{([\s\S]*)\}$/u, '$1')
      .replace(/^\$+([\s\S]*?)\$+$/u, '$1')
      .replace(/^\*\*([\s\S]*)\*\*$/u, '$1')
      .replace(/^["'“‘]([\s\S]*)["'”’]$/u, '$1')
      .replace(/[.。]$/u, '')
      .trim();
    changed = value !== before;
  }
  return value;
}
