import type { JudgeStyle } from '../../reward/judge/judge.js';
import type { VlmevalkitRule } from '../scoring/vlmevalkit/score-vlmevalkit.js';

/**
 * How a free-form answer is checked when the item is not multiple choice:
 * - `short-answer`: normalized text, " or " alternatives, containment as whole words;
 * - `relaxed-number`: numbers within 5 % (ChartQA's relaxed accuracy), text exactly otherwise;
 * - `ocr`: the reference appears in the prediction, case-insensitively (OCRBench);
 * - `math`: mathematical equivalence of final answers;
 * - `auto`: yes/no, number (with the row's precision) or short answer, from the reference's shape.
 */
export type AnswerRule = 'short-answer' | 'relaxed-number' | 'ocr' | 'math' | 'auto';

export type BenchmarkFamily = 'realx' | 'real-world' | 'hallucination' | 'math' | 'search' | 'custom';

export type BenchmarkDefinition = {
  /** Registry key, lower-case (`hrbench-4k`). */
  name: string;
  /** Display name as in the paper's tables (`HRBench-4K`). */
  title: string;
  family: BenchmarkFamily;
  aliases: string[];
  /** The split the paper reports; rows with a different `split` value are skipped. */
  split?: string;
  /** Shuffle multiple-choice options with the run seed (V* stores every answer as option A). */
  shuffleOptions: boolean;
  /** Row fields to group results by; the first one present is the item's main category. */
  categoryFields: string[];
  rule: AnswerRule;
  /** Ask the judge (when one is configured) whenever the rule does not find the answer correct. */
  useJudge: boolean;
  judgeStyle: JudgeStyle;
  /**
   * How DeepEyesV2's VLMEvalKit fork scores this benchmark; the `vlmevalkit` scoring mode (the default
   * when set) reproduces it. Absent for benchmarks the fork does not have or whose scorer is not ported.
   */
  vlmevalkit?: VlmevalkitRule;
  /** Appended to open questions so the model answers in a checkable form. */
  openInstruction?: string;
};
