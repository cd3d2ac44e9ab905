import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JudgeTaskKind } from '../../../reward/judge/judge-task.js';
import type { ScoringInput } from '../scoring-input.js';

/** Verdicts produced by running the fork's own scoring functions (test/fixtures/vlmevalkit-scoring/generate.py). */
export type GoldenCase = {
  benchmark: string;
  question?: string;
  reference: string;
  prediction: string;
  category?: string;
  options?: Record<string, string>;
  meta?: Record<string, string | number>;
  judgeReplies?: Partial<Record<JudgeTaskKind, string[]>>;
  judgeCalls?: Array<{ kind: JudgeTaskKind; temperature?: number; [field: string]: unknown }>;
  verdict: boolean;
};

const DIRECTORY = join(import.meta.dirname, '../../../../test/fixtures/vlmevalkit-scoring');

export function readGolden(family: string): GoldenCase[] {
  return readFileSync(join(DIRECTORY, `${family}.jsonl`), 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as GoldenCase);
}

export function goldenInput(golden: GoldenCase): ScoringInput {
  const meta = golden.meta ?? {};
  const mathVistaChoice = golden.benchmark === 'mathvista' && meta.question_type === 'multi_choice';
  return {
    benchmark: golden.benchmark,
    question: golden.question ?? 'Q',
    // MathVista's multiple choice is scored against answer_option; the item's reference is that letter.
    reference: mathVistaChoice ? String(meta.answer_option) : golden.reference,
    prediction: golden.prediction,
    ...(golden.category ? { category: golden.category } : {}),
    ...(golden.options ? { options: golden.options } : {}),
    meta,
  };
}
