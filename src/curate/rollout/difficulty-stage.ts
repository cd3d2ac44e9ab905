import type { StageContext, StageOutcome } from '../pipeline/stage-context.js';
import { type PassRateDependencies, type PassRateSettings, runPassRateStage } from './pass-rate-stage.js';

export type DifficultySettings = PassRateSettings & {
  /** Keep items answered correctly at most this many times out of k (the paper: 2 of 8). */
  maxPasses: number;
};

/** Stage 3: k rollouts of the base model without tools; items it solves too often are dropped. */
export function runDifficulty(
  settings: DifficultySettings,
  context: StageContext,
  dependencies: PassRateDependencies,
): Promise<StageOutcome> {
  const { maxPasses, ...rollouts } = settings;
  return runPassRateStage(
    {
      stage: 'difficulty',
      input: 'clean',
      tools: false,
      decision: { maxPasses },
      decide: (item, passes, k) => ({
        keep: passes <= maxPasses,
        ...(passes <= maxPasses ? {} : { reason: 'too-easy' }),
        item: { ...item, passRates: { ...item.passRates, noTools: { passes, k } } },
      }),
    },
    rollouts,
    context,
    dependencies,
  );
}
