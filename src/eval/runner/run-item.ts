import type { Trajectory } from '../../agent/trajectory.js';
import type { EvalItem } from '../eval-item.js';

export type RunItemContext = {
  /** Aborted when the run stops (Ctrl-C, a fatal error); the item is then left pending. */
  signal: AbortSignal;
  /** `DIR/trajectories/<item id>/`: where the agent writes `trajectory.json` and its images. */
  outDir: string;
};

/**
 * Runs one item to a trajectory: the agent loop in production, a scripted function in tests.
 * Model mistakes belong in the trajectory; infrastructure failures throw a `DeepeyesError` (or end
 * with stopReason model-error/sandbox-error) and are retried.
 */
export type RunItem = (item: EvalItem, context: RunItemContext) => Promise<Trajectory>;
