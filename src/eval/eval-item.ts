/**
 * One benchmark question, ready for the agent: the prompt text as the model will read it, the input
 * images, the reference answer and the fields reports group by.
 */

/** A multiple-choice option as shown to the model (after any shuffling). */
export type EvalOption = { letter: string; text: string };

/** RealX-Bench capability flags (the public schema's 0/1 columns). */
export type Capabilities = { perception: boolean; search: boolean; reason: boolean };

export type EvalItem = {
  /** Unique within the run; the store, trajectories folder and reports key on it. */
  id: string;
  /** 0-based row number in the data file, for messages about the row. */
  rowNumber: number;
  /** Registry name of the benchmark, e.g. `vstar`. */
  benchmark: string;
  /** The question as written in the data. */
  question: string;
  /** What the model reads: hint, question, options and answer instruction. */
  prompt: string;
  /** Reference answer: an option letter for multiple choice (after shuffling), else the text. */
  answer: string;
  /** Options as shown (multiple choice only). */
  options?: EvalOption[];
  /** Main reporting category ("all" when the data has none). */
  category: string;
  /** Every grouping field the data provides (category, l2-category, capability combination, …). */
  groups: Record<string, string>;
  capabilities?: Capabilities;
  /** Benchmark-specific scoring hints: answer type, precision, unit, … */
  meta: Record<string, string | number | boolean>;
  /** Decodes the input images on demand so a large dataset is not held in memory twice. */
  loadImages(): Promise<Uint8Array[]>;
};
