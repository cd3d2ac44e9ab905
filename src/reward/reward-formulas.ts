import { UserError } from '../errors.js';
import type { JudgeStyle } from './judge/judge.js';

/** What a formula combines; every part is already decided when it runs. */
export type FormulaParts = {
  /** 1 when the answer is right, else 0. */
  acc: number;
  /** 1 when the format check passed, else 0. */
  format: number;
  /** A search or image_search call was made (upstream-rl: the literal `<tool_call>` appears). */
  toolCallUsed: boolean;
  /** Any tool was used: code or a tool call (upstream-rl: the literal `<code>` appears). */
  toolUsed: boolean;
};

export type FormulaOutcome = {
  score: number;
  /** Named penalties applied, e.g. `{ search: 0.1 }`. */
  penalties: Record<string, number>;
  /** Named bonuses applied, e.g. `{ tool: 1.2 }`. */
  bonuses: Record<string, number>;
};

export type RewardFormula = {
  name: string;
  /** Which judge decides correctness: Yes/No (`semantic`) or TRUE/FALSE after normalisation (`math`). */
  answerStyle: JudgeStyle;
  /** Answers of this many code points or more fail the format and get acc 0 (anti judge-hacking). */
  answerLengthLimit?: number;
  /** Whether unbalanced `<tool_call>` tags fail the format. */
  checkToolCallTags: boolean;
  /** Validation: only correctness counts, there is no format part (upstream returns score = acc). */
  accuracyOnly?: boolean;
  combine(parts: FormulaParts): FormulaOutcome;
};

const none = {};

/** DeepEyesV2 perception data: `0.8·acc + 0.2·format`. */
export const PERCEPTION_FORMULA: RewardFormula = {
  name: 'perception',
  answerStyle: 'semantic',
  answerLengthLimit: 300,
  checkToolCallTags: false,
  combine: ({ acc, format }) => ({ score: 0.8 * acc + 0.2 * format, penalties: none, bonuses: none }),
};

/** DeepEyesV2 search data: `0.8·acc·(1 − 0.1·[tool call used]) + 0.2·format`. */
export const SEARCH_FORMULA: RewardFormula = {
  name: 'search',
  answerStyle: 'semantic',
  answerLengthLimit: 300,
  checkToolCallTags: true,
  combine: ({ acc, format, toolCallUsed }) => {
    const penalty = toolCallUsed ? 0.1 : 0;
    // Same operation order as upstream, so the doubles match bit for bit (0.9200000000000002).
    return {
      score: 0.8 * acc * (1 - penalty) + 0.2 * format,
      penalties: penalty > 0 ? { search: penalty } : none,
      bonuses: none,
    };
  },
};

/** DeepEyesV2 reasoning (math) data: `0.8·acc + 0.2·format`, no length limit (golden README bug 30). */
export const REASON_FORMULA: RewardFormula = {
  name: 'reason',
  answerStyle: 'math',
  checkToolCallTags: false,
  combine: ({ acc, format }) => ({ score: 0.8 * acc + 0.2 * format, penalties: none, bonuses: none }),
};

/** Validation (upstream's `vstar-test`): the score is the accuracy. */
export const VALIDATION_FORMULA: RewardFormula = {
  name: 'validation',
  answerStyle: 'semantic',
  checkToolCallTags: false,
  accuracyOnly: true,
  combine: ({ acc }) => ({ score: acc, penalties: none, bonuses: none }),
};

/** DeepEyes v1: `0.8·acc + 0.2·format + 1.2·[tool used ∧ correct]`. */
export const DEEPEYES_V1_FORMULA: RewardFormula = {
  name: 'deepeyes-v1',
  answerStyle: 'semantic',
  checkToolCallTags: true,
  combine: ({ acc, format, toolUsed }) => {
    const bonus = toolUsed && acc > 0.5 ? 1.2 : 0;
    return {
      score: 0.8 * acc + 0.2 * format + bonus,
      penalties: none,
      bonuses: bonus > 0 ? { tool: bonus } : none,
    };
  },
};

/** Upstream's benchmark data sources: their module is missing from the release (bug 32). */
const BENCHMARK_SOURCES = [
  'mmsearch-test',
  'simpleqa-openai-test',
  'chinese_simpleqa-test',
  'browsecomp-zh-test',
  'browsecomp-openai-test',
  'simple-vqa-test',
  'zero-bench-test',
  'zero-bench-no-tools',
];

/** Formulas by name and the data source → formula mapping; register your own with `register`. */
export class RewardFormulaRegistry {
  private readonly formulas = new Map<string, RewardFormula>();
  private readonly sources = new Map<string, { formula: string; missingUpstream: boolean }>();

  constructor() {
    for (const formula of [
      PERCEPTION_FORMULA,
      SEARCH_FORMULA,
      REASON_FORMULA,
      VALIDATION_FORMULA,
      DEEPEYES_V1_FORMULA,
    ]) {
      this.register(formula);
    }
    for (const name of ['perception', 'search', 'reason']) this.mapDataSource(name, name);
    this.mapDataSource('vstar-test', 'validation');
    for (const name of BENCHMARK_SOURCES)
      this.sources.set(name, { formula: 'validation', missingUpstream: true });
  }

  /** Adds or replaces a formula; data sources with the same name use it unless mapped otherwise. */
  register(formula: RewardFormula): this {
    this.formulas.set(formula.name, formula);
    return this;
  }

  mapDataSource(dataSource: string, formulaName: string): this {
    this.get(formulaName);
    this.sources.set(dataSource, { formula: formulaName, missingUpstream: false });
    return this;
  }

  get(name: string): RewardFormula {
    const formula = this.formulas.get(name);
    if (!formula) {
      throw new UserError('reward-formula-unknown', `No reward formula named "${name}".`, {
        hint: `Known formulas: ${[...this.formulas.keys()].join(', ')}.`,
      });
    }
    return formula;
  }

  /** The formula for a data source (a formula's own name works as a data source too). */
  forDataSource(dataSource: string): { formula: RewardFormula; missingUpstream: boolean } {
    const mapped = this.sources.get(dataSource);
    if (mapped) return { formula: this.get(mapped.formula), missingUpstream: mapped.missingUpstream };
    const formula = this.formulas.get(dataSource);
    if (formula) return { formula, missingUpstream: false };
    throw new UserError(
      'reward-data-source-unknown',
      `No reward is defined for data source "${dataSource}".`,
      {
        hint: `Known data sources: ${[...this.sources.keys(), ...this.formulas.keys()].join(', ')}; or pass "formula".`,
      },
    );
  }
}
