import { DeepeyesError } from '../../errors.js';
import type { Judge, SymbolicEquivalence } from '../../reward/index.js';
import { verifyByRules } from '../../reward/index.js';
import { basicRuleVerifiers } from './basic-rule-verifiers.js';
import type { EvalJudge } from './eval-judge.js';
import type { RuleVerifiers } from './rule-verifiers.js';

/**
 * Adapts `src/reward`'s judge: its `unknown` with an `error` is a failed call (retried by the runner,
 * then recorded as a judge error); its `unknown` without one is an unreadable verdict.
 */
export function judgeFromReward(judge: Judge): EvalJudge {
  return {
    name: judge.name,
    async judge(request, signal) {
      const result = await judge.judge(
        {
          style: request.style,
          question: request.question,
          reference: request.reference,
          prediction: request.prediction,
        },
        signal,
      );
      if (result.verdict === 'unknown' && result.error !== undefined) {
        throw new DeepeyesError('judge-unreachable', `judge ${judge.name} failed: ${result.error}`, {
          hint: 'check --judge (an OpenAI-compatible server) or run without it to score by rules',
        });
      }
      return {
        verdict: result.verdict === 'incorrect' ? 'wrong' : result.verdict,
        judge: `${result.model}${result.cached ? ' (cached)' : ''}`,
        raw: result.replies.at(-1) ?? '',
      };
    },
  };
}

/**
 * `src/reward`'s rule verifiers (units, LaTeX, sympy through a sandbox when `symbolic` is given)
 * behind the evaluation seam. Benchmark-specific tolerances (ChartQA's 5 %, MathVista's precision)
 * stay with the basic number check, which implements exactly those rules.
 */
export function ruleVerifiersFromReward(options: { symbolic?: SymbolicEquivalence } = {}): RuleVerifiers {
  const general = async (prediction: string, reference: string) =>
    (await verifyByRules({ prediction, reference, kind: 'general' })).correct;
  return {
    shortAnswer: general,
    yesNo: general,
    number: (prediction, reference, settings = {}) =>
      settings.precision !== undefined || settings.relativeTolerance !== undefined
        ? basicRuleVerifiers.number(prediction, reference, settings)
        : general(prediction, reference),
    math: async (prediction, reference) =>
      (
        await verifyByRules(
          { prediction, reference, kind: 'math' },
          options.symbolic ? { symbolic: options.symbolic } : {},
        )
      ).correct,
  };
}
