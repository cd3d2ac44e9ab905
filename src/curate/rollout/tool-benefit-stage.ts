import type { StageContext, StageOutcome } from '../pipeline/stage-context.js';
import { type PassRateDependencies, type PassRateSettings, runPassRateStage } from './pass-rate-stage.js';

export type ToolBenefitSettings = PassRateSettings & {
  /** Items solved with tools at least this many times go to the RL pool (the paper: solved at all). */
  minPassesForRl: number;
};

/**
 * Stage 4: k rollouts of the same model with tools (the full agent). Solved at least
 * `minPassesForRl` times → RL pool; never solved → cold-start pool (teacher trajectories).
 */
export function runToolBenefit(
  settings: ToolBenefitSettings,
  context: StageContext,
  dependencies: PassRateDependencies,
): Promise<StageOutcome> {
  const { minPassesForRl, ...rollouts } = settings;
  return runPassRateStage(
    {
      stage: 'tool-benefit',
      input: 'difficulty',
      tools: true,
      decision: { minPassesForRl },
      decide: (item, passes, k) => ({
        keep: true,
        item: {
          ...item,
          passRates: { ...item.passRates, withTools: { passes, k } },
          pool: passes >= minPassesForRl ? 'rl' : 'cold-start',
        },
      }),
    },
    rollouts,
    context,
    dependencies,
  );
}
