import { DeepeyesError } from '../../../errors.js';
import { pythonStrip } from '../../../protocol/python-text.js';
import type { Judge, JudgeStyle } from '../../../reward/judge/judge.js';
import { answerAlternatives } from '../../../reward/verifiers/answer-list.js';
import { verifyNumber } from '../../../reward/verifiers/number.js';
import { verifyByRules } from '../../../reward/verifiers/rule-verifier.js';
import { verifyShortAnswer } from '../../../reward/verifiers/short-answer.js';
import { ocrbenchMatch } from '../../../reward/verifiers/vlmevalkit/ocrbench-match.js';
import { chartNumber } from '../../../reward/verifiers/vlmevalkit/relaxed-correctness.js';
import { extractYesNo } from '../../../reward/verifiers/vlmevalkit/yes-no-extraction.js';
import { readYesNo } from '../../../reward/verifiers/yes-no.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';
import { mathVistaRow } from '../vlmevalkit/mathvista.js';
import type { VlmevalkitRule } from '../vlmevalkit/score-vlmevalkit.js';
import { readOptionLetter } from './choice-reading.js';

export type DeepeyesScoringOptions = {
  /** The family rule VLMEvalKit uses for this benchmark, when it has one. */
  family?: VlmevalkitRule;
  /** `general` or `math` answers for benchmarks outside VLMEvalKit's families. */
  kind: 'general' | 'math';
  /** Ask the judge when the rules do not find the answer correct. */
  useJudge: boolean;
  judgeStyle: JudgeStyle;
};

type RuleResult = { correct: boolean; rule: string; extracted?: string; final?: boolean };

/**
 * deepeyes' corrected scoring: the reward layer's verifiers and judge, VLMEvalKit's rules where they
 * are right, and a named fix (docs/evaluation.md) where they are not. A rule's "correct" is final; a
 * "wrong" goes to the judge when the benchmark is judged (and one is configured), except where the rule
 * is exact by construction (`final`).
 */
export async function scoreDeepeyes(
  input: ScoringInput,
  options: DeepeyesScoringOptions,
  judge: Judge | undefined,
  signal?: AbortSignal,
): Promise<ScoringOutcome> {
  const ruled = await applyRule(input, options);
  const judged =
    options.family === 'chartqa' ||
    options.family === 'multiple-choice' ||
    options.family === 'yes-no' ||
    options.family === 'mathvista' ||
    options.family === 'mathverse' ||
    options.useJudge;
  if (ruled.correct || ruled.final || !judge || !judged) return { ...ruled, judgeCalls: 0 };
  const optionText = input.options?.[input.reference];
  const result = await judge.judge(
    {
      style: options.family === 'mathvista' || options.family === 'mathverse' ? 'math' : options.judgeStyle,
      question: input.question,
      reference: optionText === undefined ? input.reference : `${input.reference}. ${optionText}`,
      prediction: input.prediction,
    },
    signal,
  );
  if (result.verdict === 'unknown' && result.error !== undefined) {
    throw new DeepeyesError('judge-unreachable', `judge ${judge.name} failed: ${result.error}`, {
      hint: 'check --judge (an OpenAI-compatible server) or run without it to score by rules',
    });
  }
  return {
    correct: result.verdict === 'correct',
    rule: 'judge',
    ...(ruled.extracted === undefined ? {} : { extracted: ruled.extracted }),
    judgeCalls: result.attempts,
    detail: `${result.verdict === 'unknown' ? 'unknown: ' : ''}${(result.replies.at(-1) ?? '').slice(0, 2000)}`,
  };
}

async function applyRule(input: ScoringInput, options: DeepeyesScoringOptions): Promise<RuleResult> {
  switch (options.family) {
    case 'ocrbench': {
      // Fix `ocr-empty-alternative`: an empty alternative (or answer) matches nothing, not everything.
      const alternatives = answerAlternatives(input.reference).filter((text) => pythonStrip(text) !== '');
      const ok =
        pythonStrip(input.prediction) !== '' &&
        ocrbenchMatch(input.prediction, alternatives, input.category ?? '');
      return { correct: ok, rule: 'ocrbench', final: true };
    }
    case 'chartqa':
      return chartQa(input);
    case 'multiple-choice':
    case 'mme-realworld': {
      // Fix `mme-realworld-letter-reading`: MME-RealWorld reads letters like every other multiple choice.
      const letter = readOptionLetter(input.prediction, input.options ?? {});
      return {
        correct: letter === input.reference,
        rule: 'option-letter',
        ...(letter ? { extracted: letter } : {}),
        final: options.family === 'mme-realworld',
      };
    }
    case 'yes-no': {
      // Fix `yes-no-leading-word`: a leading Yes/No (or true/false, 是/否) decides before the word count.
      const reading = readYesNo(input.prediction) ?? extractYesNo(input.prediction).toLowerCase();
      const extracted = reading === 'yes' ? 'Yes' : reading === 'no' ? 'No' : 'Unknown';
      return {
        correct: extracted === input.reference,
        rule: 'yes-no',
        extracted,
        final: extracted !== 'Unknown',
      };
    }
    case 'mathvista':
      return mathVista(input);
    case 'mathverse':
    case undefined: {
      const kind = options.family === 'mathverse' ? 'math' : options.kind;
      const decision = await verifyByRules({
        prediction: input.prediction,
        reference: input.reference,
        question: input.question,
        ...(input.options ? { options: input.options } : {}),
        kind,
      });
      return { correct: decision.correct, rule: decision.verifier };
    }
  }
}

/**
 * ChartQA, fixed: `chartqa-relative-to-reference` (5 % of the reference, not of the prediction; the
 * judge gets the roles right), `chartqa-number-in-answer` (the one number in "The answer is 42." or
 * "42 million", thousands separators), `chartqa-percent-fraction` (57% and 0.57 are the same share), `chartqa-text-normalized` (text answers
 * compared after the reward layer's normalisation: case, articles, punctuation).
 */
function chartQa(input: ScoringInput): RuleResult {
  for (const alternative of answerAlternatives(input.reference)) {
    const decision = verifyNumber(input.prediction, alternative, { relativeTolerance: 0.05 });
    if (decision?.correct) return { correct: true, rule: 'relaxed-number' };
    const expected = chartNumber(alternative.trim().replace(/,/g, ''));
    const given = chartNumber(input.prediction.trim().replace(/,/g, ''));
    if (expected !== undefined && given !== undefined && expected !== 0) {
      const scaled = [given, given * 100, given / 100];
      if (scaled.some((value) => Math.abs(value - expected) <= 0.05 * Math.abs(expected))) {
        return { correct: true, rule: 'relaxed-number' };
      }
    }
    if (verifyShortAnswer(input.prediction, alternative).correct)
      return { correct: true, rule: 'short-answer' };
  }
  return { correct: false, rule: 'relaxed-number' };
}

/**
 * MathVista, fixed: `mathvista-text-answers` (text and list answers are compared, not with "None"),
 * `mathvista-zero-answer` (a correct 0 is correct), `mathvista-number-forms` (14.0 for 14, "The answer
 * is 14." read by the reward layer's number rule). Multiple choice reads letters as above.
 */
async function mathVista(input: ScoringInput): Promise<RuleResult> {
  const row = mathVistaRow(input);
  if (row.questionType === 'multi_choice') {
    const letter = readOptionLetter(input.prediction, row.choices ?? {});
    return {
      correct: letter !== undefined && letter === row.answerOption,
      rule: 'option-letter',
      ...(letter ? { extracted: letter } : {}),
    };
  }
  if (row.answerType === 'integer' || row.answerType === 'float') {
    const number = verifyNumber(input.prediction, row.answer);
    if (number?.correct) return { correct: true, rule: 'number' };
  }
  const decision = await verifyByRules({ prediction: input.prediction, reference: row.answer, kind: 'math' });
  return { correct: decision.correct, rule: decision.verifier };
}
