import type { StopReason } from './trajectory.js';

/** What a stop condition may look at: counts kept by the driver, never the driver itself. */
export type RunProgress = {
  modelCalls: number;
  completionTokens: number;
  elapsedMs: number;
};

/** A predicate over the run so far that names why it must stop, or returns undefined. */
export type StopCondition = (progress: RunProgress) => StopReason | undefined;

export const maxModelCalls =
  (limit: number): StopCondition =>
  (progress) =>
    progress.modelCalls >= limit ? 'max-turns' : undefined;

export const maxCompletionTokens =
  (limit: number): StopCondition =>
  (progress) =>
    progress.completionTokens >= limit ? 'max-tokens' : undefined;

export const maxElapsed =
  (limitMs: number): StopCondition =>
  (progress) =>
    progress.elapsedMs >= limitMs ? 'time-limit' : undefined;

/** The first condition that fires wins; order the list by priority. */
export function firstStop(conditions: StopCondition[], progress: RunProgress): StopReason | undefined {
  for (const condition of conditions) {
    const reason = condition(progress);
    if (reason !== undefined) return reason;
  }
  return undefined;
}
