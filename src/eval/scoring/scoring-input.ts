/**
 * What a benchmark scorer reads about one item: plain data, so the same scoring runs on a live item,
 * on a finished run's store (re-scoring) and on the golden fixtures.
 */
export type ScoringInput = {
  /** The item's id: keys seeded choices (the multiple-choice random fallback) so re-scoring repeats them. */
  id?: string;
  /** Registry name (`ocrbench`, `hrbench-4k`, …). */
  benchmark: string;
  /** The question as written in the data (without the options block). */
  question: string;
  /** The reference as stored: a letter for multiple choice, else the text (list literals included). */
  reference: string;
  /** The model's answer. */
  prediction: string;
  /** The data's category (OCRBench scores its handwritten-math category differently). */
  category?: string;
  /** Letter → option text, multiple choice only. */
  options?: Readonly<Record<string, string>>;
  /** Row fields the rules read: answer_type, question_type, answer_option, choices, precision, … */
  meta?: Readonly<Record<string, string | number | boolean>>;
};

/** A rule's (and judge's) decision on one item. */
export type ScoringOutcome = {
  correct: boolean;
  /** Which rule decided, e.g. `ocrbench`, `can-infer`, `judge:verify`. */
  rule: string;
  /** What the scorer read from the answer (a letter, Yes/No, an extracted answer). */
  extracted?: string;
  /** Judge calls made for this item. */
  judgeCalls: number;
  detail?: string;
};
