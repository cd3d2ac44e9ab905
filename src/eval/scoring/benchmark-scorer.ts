import type { EvalItem } from '../eval-item.js';
import type { BenchmarkDefinition } from '../registry/benchmark-definition.js';
import { findBenchmark } from '../registry/benchmarks.js';
import { basicRuleVerifiers, parseNumber } from './basic-rule-verifiers.js';
import type { EvalJudge } from './eval-judge.js';
import { matchChoice } from './match-choice.js';
import type { RuleVerifiers } from './rule-verifiers.js';
import type { Score, Scorer, Verdict } from './scorer.js';

export type BenchmarkScorerOptions = {
  verifiers?: RuleVerifiers;
  /** Optional: without one, rules decide and every score says so in `verifier`. */
  judge?: EvalJudge;
};

/**
 * Scores by the item's benchmark definition: multiple choice by letter or option text, open answers
 * by the benchmark's rule; when the rule does not accept the answer and the benchmark is judged,
 * the judge decides (a rule's "correct" is trusted, saving judge calls).
 */
export function createBenchmarkScorer(options: BenchmarkScorerOptions = {}): Scorer {
  const verifiers = options.verifiers ?? basicRuleVerifiers;
  return {
    async score(item, prediction, signal) {
      if (prediction === null || prediction.trim() === '') {
        return { verdict: 'wrong', verifier: 'no-answer', detail: 'the model gave no answer' };
      }
      const definition = findBenchmark(item.benchmark);
      const ruled = await applyRule(item, prediction, definition, verifiers);
      if (ruled.verdict === 'correct' || !definition.useJudge || !options.judge) return ruled;
      const judged = await options.judge.judge(
        {
          question: item.options ? item.prompt : item.question,
          reference: item.options ? optionReference(item) : item.answer,
          prediction,
          style: definition.judgeStyle,
        },
        signal,
      );
      return {
        verdict: judged.verdict,
        verifier: 'judge',
        ...(ruled.extracted ? { extracted: ruled.extracted } : {}),
        detail: `${judged.judge}: ${(judged.raw ?? '').slice(0, 2000)}`,
      };
    },
  };
}

function optionReference(item: EvalItem): string {
  const option = item.options?.find((candidate) => candidate.letter === item.answer);
  return option ? `${option.letter}. ${option.text}` : item.answer;
}

async function applyRule(
  item: EvalItem,
  prediction: string,
  definition: BenchmarkDefinition,
  verifiers: RuleVerifiers,
): Promise<Score> {
  const verdict = (ok: boolean): Verdict => (ok ? 'correct' : 'wrong');
  if (item.options) {
    const match = matchChoice(prediction, item.options);
    if (!match) return { verdict: 'wrong', verifier: 'choice', detail: 'no option matched the answer' };
    return { verdict: verdict(match.letter === item.answer), verifier: 'choice', extracted: match.letter };
  }
  const reference = item.answer;
  switch (definition.rule) {
    case 'short-answer':
      return {
        verdict: verdict(await verifiers.shortAnswer(prediction, reference)),
        verifier: 'short-answer',
      };
    case 'relaxed-number': {
      const numeric = /^\s*-?[\d,.]+\s*%?\s*$/.test(reference);
      return numeric
        ? {
            verdict: verdict(await verifiers.number(prediction, reference, { relativeTolerance: 0.05 })),
            verifier: 'relaxed-number',
          }
        : { verdict: verdict(await verifiers.shortAnswer(prediction, reference)), verifier: 'short-answer' };
    }
    case 'ocr': {
      // OCRBench: the reference (any alternative) appears in the prediction, case-insensitively.
      const squash = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();
      const ok = reference
        .split(/\s+or\s+/i)
        .some((alternative) => squash(prediction).includes(squash(alternative)));
      return { verdict: verdict(ok), verifier: 'ocr' };
    }
    case 'math':
      return { verdict: verdict(await verifiers.math(prediction, reference)), verifier: 'math' };
    case 'auto': {
      if (/^\s*(yes|no)\s*$/i.test(reference)) {
        return { verdict: verdict(await verifiers.yesNo(prediction, reference)), verifier: 'yes-no' };
      }
      if (/^\s*-?[\d,.]+\s*%?\s*$/.test(reference) && parseNumber(reference) !== undefined) {
        const precision = typeof item.meta.precision === 'number' ? item.meta.precision : undefined;
        return {
          verdict: verdict(
            await verifiers.number(prediction, reference, precision === undefined ? {} : { precision }),
          ),
          verifier: 'number',
        };
      }
      return {
        verdict: verdict(await verifiers.shortAnswer(prediction, reference)),
        verifier: 'short-answer',
      };
    }
  }
}
