/**
 * The question as compared for duplicates and contamination: no `<image>` markers, no listed
 * options, case-folded, punctuation and runs of white space removed. Pure.
 */
export function normalizeQuestion(question: string): string {
  return question
    .replaceAll('<image>', ' ')
    .replace(/\n\s*(options|choices)\s*:[\s\S]*$/iu, ' ')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}
