/**
 * The judge requests VLMEvalKit's scorers make, as values. The fork sends each as one prompt to its
 * judge model and reads the reply with its own rules (`src/reward/verifiers/vlmevalkit/`); a
 * `TaskJudge` answers with the raw reply text, so the same decision structure runs over any judge.
 *
 * - `verify`: do a model answer and a reference agree (the fork's verify.md judge, `\boxed{Yes|No}`);
 * - `match-option`: which option letter (or Z for none) an answer means;
 * - `match-yes-no`: whether an answer means Yes, No or Unknown;
 * - `extract-answer`: the short final answer inside a long response (MathVista, MathVerse);
 * - `math-consistency`: 1 or 0, whether an extracted answer matches the standard one (MathVerse).
 */
export type JudgeTask =
  | { kind: 'verify'; question: string; reference: string; prediction: string }
  | { kind: 'match-option'; question: string; options: Readonly<Record<string, string>>; prediction: string }
  | { kind: 'match-yes-no'; question: string; prediction: string }
  | { kind: 'extract-answer'; benchmark: 'mathvista' | 'mathverse'; question: string; prediction: string }
  | { kind: 'math-consistency'; question: string; reference: string; extracted: string };

export type JudgeTaskKind = JudgeTask['kind'];

export const JUDGE_TASK_KINDS: readonly JudgeTaskKind[] = [
  'verify',
  'match-option',
  'match-yes-no',
  'extract-answer',
  'math-consistency',
];

export type TaskJudgeOptions = {
  /** The fork raises the temperature on retries (0, 0.5, 1, …); undefined uses the judge's default. */
  temperature?: number;
  signal?: AbortSignal;
};

export interface TaskJudge {
  /** Judge model name, recorded with every score. */
  readonly name: string;
  /** The judge's raw reply. Throws on infrastructure failure (the runner retries, then records an error). */
  ask(task: JudgeTask, options?: TaskJudgeOptions): Promise<string>;
}
