import type { Trajectory } from '../../agent/trajectory.js';
import type { RewardResult, RewardScorer } from '../../reward/index.js';
import { type CurationItem, dataSourceFor } from '../curation-item.js';
import { questionText } from './rollout-runner.js';

/**
 * Scores a trajectory with the reward layer (rule verifiers, or the judge the scorer was built
 * with), as the RL reward would: the item's category picks the formula.
 */
export function gradeTrajectory(
  scorer: RewardScorer,
  item: CurationItem,
  trajectory: Trajectory,
  signal?: AbortSignal,
): Promise<RewardResult> {
  return scorer.score(
    {
      trajectory: trajectory.messages,
      groundTruth: item.answer,
      dataSource: dataSourceFor(item.category),
      question: questionText(item),
      ...(item.options && item.answerType === 'choice' ? { options: item.options } : {}),
    },
    signal,
  );
}
