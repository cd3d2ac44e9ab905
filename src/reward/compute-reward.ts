import { UserError } from '../errors.js';
import { pythonStrip } from '../protocol/python-text.js';
import { extractFinalAnswer } from './extract-answer.js';
import { checkFormat } from './format-check.js';
import type { Judge, JudgeItem, JudgeResult } from './judge/judge.js';
import { type RewardFormula, RewardFormulaRegistry } from './reward-formulas.js';
import type { DecidedBy, RewardProfile, RewardRequest, RewardResult } from './reward-result.js';
import { detectToolUse } from './tool-use.js';
import { splitTrajectory } from './trajectory-text.js';
import { normalizeMathAnswer } from './verifiers/math-normalize.js';
import type { RuleDecision } from './verifiers/rule-decision.js';
import { type RuleVerifierOptions, verifyByRules } from './verifiers/rule-verifier.js';

export type RewardScorerOptions = {
  /** Default `deepeyesv2`. */
  profile?: RewardProfile;
  /** Without a judge, rule verifiers decide and every result says so. */
  judge?: Judge;
  /** Tolerances and the sympy session for the rule verifiers. */
  rules?: RuleVerifierOptions;
  formulas?: RewardFormulaRegistry;
};

export type RewardScorer = {
  readonly profile: RewardProfile;
  score(request: RewardRequest, signal?: AbortSignal): Promise<RewardResult>;
};

type Accuracy = {
  acc: number;
  decidedBy: DecidedBy;
  judge?: JudgeResult;
  rule?: RuleDecision;
  notes: string[];
};

function summarizeJudge(result: JudgeResult): NonNullable<RewardResult['judge']> {
  const { replies, ...rest } = result;
  const reply = replies.at(-1);
  return reply === undefined ? rest : { ...rest, reply };
}

/** Scores trajectories: format check, answer extraction, judge or rules, then the formula. */
export function createRewardScorer(options: RewardScorerOptions = {}): RewardScorer {
  const profile = options.profile ?? 'deepeyesv2';
  const formulas = options.formulas ?? new RewardFormulaRegistry();
  const upstream = profile === 'upstream-rl';

  async function byRules(
    request: RewardRequest,
    prediction: string,
    kind: 'general' | 'math',
    notes: string[],
  ): Promise<Accuracy> {
    const rule = await verifyByRules(
      {
        prediction,
        reference: request.groundTruth,
        kind,
        ...(request.question === undefined ? {} : { question: request.question }),
        ...(request.options === undefined ? {} : { options: request.options }),
      },
      options.rules,
    );
    return { acc: rule.correct ? 1 : 0, decidedBy: `rule:${rule.verifier}`, rule, notes };
  }

  /** The judge decides; an unknown verdict falls back to the rules in deepeyesv2 (upstream counts it wrong). */
  async function byJudgeOrRules(
    request: RewardRequest,
    item: JudgeItem,
    rulePrediction: string,
    signal: AbortSignal | undefined,
  ): Promise<Accuracy> {
    const kind = item.style === 'math' ? 'math' : 'general';
    if (!options.judge)
      return byRules(request, rulePrediction, kind, ['no judge configured: rule verifiers decided']);
    const judge = await options.judge.judge(item, signal);
    if (judge.verdict !== 'unknown')
      return { acc: judge.verdict === 'correct' ? 1 : 0, decidedBy: 'judge', judge, notes: [] };
    if (upstream)
      return {
        acc: 0,
        decidedBy: 'judge',
        judge,
        notes: ['judge verdict unknown: counted wrong, as upstream does'],
      };
    const why = judge.error ? `judge failed (${judge.error})` : 'judge verdict unreadable';
    return { ...(await byRules(request, rulePrediction, kind, [`${why}: rule verifiers decided`])), judge };
  }

  async function decideAccuracy(
    formula: RewardFormula,
    request: RewardRequest,
    answer: string | null,
    tooLong: boolean,
    signal: AbortSignal | undefined,
  ): Promise<Accuracy> {
    const question = request.question ?? '';
    if (tooLong) return { acc: 0, decidedBy: 'answer-too-long', notes: [] };
    if (formula.answerStyle === 'math') {
      if (!answer) return { acc: 0, decidedBy: 'no-answer', notes: [] };
      const normalized = normalizeMathAnswer(answer);
      if (!normalized || !request.groundTruth) return { acc: 0, decidedBy: 'normalized-empty', notes: [] };
      const item: JudgeItem = {
        style: 'math',
        question,
        reference: request.groundTruth,
        prediction: normalized,
      };
      return byJudgeOrRules(request, item, answer, signal);
    }
    if (upstream && formula.accuracyOnly) return upstreamValidation(request, answer, signal);
    // Upstream asks the judge even without an answer (bug 26); deepeyesv2 does not.
    if (!answer && !(upstream && options.judge)) return { acc: 0, decidedBy: 'no-answer', notes: [] };
    const item: JudgeItem = {
      style: 'semantic',
      question,
      reference: request.groundTruth,
      prediction: answer,
    };
    return byJudgeOrRules(request, item, answer ?? '', signal);
  }

  /** Upstream's `compute_score_acc` (bug 31): exact or lower-cased prefix match, else its own judge loop. */
  async function upstreamValidation(
    request: RewardRequest,
    answer: string | null,
    signal: AbortSignal | undefined,
  ): Promise<Accuracy> {
    if (!answer) return { acc: 0, decidedBy: 'no-answer', notes: [] };
    if (answer === request.groundTruth || pythonStrip(answer).toLowerCase().startsWith(request.groundTruth)) {
      return { acc: 1, decidedBy: 'upstream-exact-match', notes: [] };
    }
    const judge = options.judge;
    if (!judge?.judgeUpstreamValidation) {
      return byRules(request, answer, 'general', [
        'no upstream validation judge configured: rule verifiers decided',
      ]);
    }
    const item: JudgeItem = {
      style: 'semantic',
      question: request.question ?? '',
      reference: request.groundTruth,
      prediction: answer,
    };
    const result = await judge.judgeUpstreamValidation(item, signal);
    return { acc: result.verdict === 'correct' ? 1 : 0, decidedBy: 'judge', judge: result, notes: [] };
  }

  return {
    profile,
    async score(request, signal) {
      const { formula, missingUpstream } = request.formula
        ? { formula: formulas.get(request.formula), missingUpstream: false }
        : formulas.forDataSource(request.dataSource);
      if (upstream && missingUpstream) {
        throw new UserError(
          'reward-upstream-missing',
          `Upstream's reward for data source "${request.dataSource}" imports a module missing from the release.`,
          {
            hint: 'Use the deepeyesv2 profile, which scores benchmark data sources as validation (acc only).',
          },
        );
      }
      const trajectory = splitTrajectory(request.trajectory);
      // Upstream counts tags over the whole decoded response; deepeyesv2 over the model's own turns (bug 24).
      const text = upstream ? trajectory.raw : trajectory.modelTurns.join('\n');
      const check = checkFormat(text, {
        checkToolCallTags: formula.checkToolCallTags,
        ...(formula.answerLengthLimit === undefined ? {} : { answerLengthLimit: formula.answerLengthLimit }),
        ignoreLeadingWhitespace: !upstream,
      });
      // Upstream's validation reads the answer without prefixing <think>; extraction is the same either way.
      const answer = formula.accuracyOnly ? extractFinalAnswer(text) : check.answer;
      const toolUse = detectToolUse(trajectory.modelTurns);
      const tooLong = check.issues.includes('answer-too-long');
      const accuracy = await decideAccuracy(formula, request, answer, tooLong, signal);
      const format = formula.accuracyOnly ? null : check.ok ? 1 : 0;
      const outcome = formula.combine({
        acc: accuracy.acc,
        format: format ?? 0,
        toolCallUsed: upstream ? check.counts.toolCallOpen > 0 : toolUse.toolCalls > 0,
        toolUsed: upstream ? check.counts.codeOpen > 0 : toolUse.codeCalls + toolUse.toolCalls > 0,
      });
      return {
        score: outcome.score,
        acc: accuracy.acc,
        format,
        penalties: outcome.penalties,
        bonuses: outcome.bonuses,
        formula: formula.name,
        dataSource: request.dataSource,
        profile,
        answer,
        formatIssues: formula.accuracyOnly ? [] : check.issues,
        decidedBy: accuracy.decidedBy,
        ...(accuracy.judge ? { judge: summarizeJudge(accuracy.judge) } : {}),
        ...(accuracy.rule ? { rule: accuracy.rule } : {}),
        toolUse,
        notes: accuracy.notes,
      };
    },
  };
}
