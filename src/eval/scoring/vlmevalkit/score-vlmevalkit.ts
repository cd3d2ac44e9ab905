import type { TaskJudge } from '../../../reward/judge/judge-task.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';
import { scoreChartQa } from './chartqa.js';
import { scoreMathVerse } from './mathverse.js';
import { scoreMathVista } from './mathvista.js';
import type { McqFallback } from './mcq-fallback.js';
import { scoreMmeRealWorld } from './mme-realworld.js';
import { scoreMultipleChoice } from './multiple-choice.js';
import { scoreOcrbench } from './ocrbench.js';
import { scoreYesNo } from './yes-no.js';

/** The fork's scoring families; a benchmark's registry entry names the one VLMEvalKit uses for it. */
export const VLMEVALKIT_RULES = [
  'ocrbench',
  'chartqa',
  'multiple-choice',
  'mme-realworld',
  'yes-no',
  'mathvista',
  'mathverse',
] as const;
export type VlmevalkitRule = (typeof VLMEVALKIT_RULES)[number];

/** Scores one item the way DeepEyesV2's VLMEvalKit fork scores its benchmark. */
export async function scoreVlmevalkit(
  rule: VlmevalkitRule,
  input: ScoringInput,
  judge: TaskJudge | undefined,
  signal?: AbortSignal,
  mcqFallback?: McqFallback,
): Promise<ScoringOutcome> {
  switch (rule) {
    case 'ocrbench':
      return scoreOcrbench(input);
    case 'chartqa':
      return scoreChartQa(input, judge, signal);
    case 'multiple-choice':
      return scoreMultipleChoice(input, judge, signal, mcqFallback);
    case 'mme-realworld':
      return scoreMmeRealWorld(input);
    case 'yes-no':
      return scoreYesNo(input, judge, signal);
    case 'mathvista':
      return scoreMathVista(input, judge, signal);
    case 'mathverse':
      return scoreMathVerse(input, judge, signal);
  }
}
