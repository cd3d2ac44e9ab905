import type { Trajectory } from '../../agent/trajectory.js';
import type { RewardResult } from '../../reward/index.js';

export type AcceptanceRules = {
  /** Model turns a trajectory may take (the RL run's max_turns: 9). */
  maxTurns: number;
  /** Answers this long or longer are rejected (the reward's 300-character rule). */
  maxAnswerChars: number;
};

export const DEFAULT_ACCEPTANCE: AcceptanceRules = { maxTurns: 9, maxAnswerChars: 300 };

/**
 * Why a teacher trajectory cannot be a cold-start sample, or [] when it can: the answer must be
 * judged correct, no code call may have raised, timed out or been killed, the DeepEyesV2 format
 * rules must hold, at most `maxTurns` turns and an answer under `maxAnswerChars`. Pure.
 */
export function rejectionReasons(
  trajectory: Trajectory,
  reward: RewardResult,
  rules: AcceptanceRules,
): string[] {
  const reasons: string[] = [];
  if (trajectory.stopReason !== 'answer') reasons.push(`no-answer:${trajectory.stopReason}`);
  else if (reward.acc !== 1) reasons.push('wrong-answer');
  for (const turn of trajectory.turns) {
    const call = turn.toolCall;
    if (call?.tool === 'code' && call.status !== 'ok') reasons.push(`code-${call.status}`);
    if ((call?.tool === 'search' || call?.tool === 'image_search') && call.error)
      reasons.push('search-error');
    if (turn.action === 'tool-error') reasons.push('tool-call-invalid');
  }
  if (reward.format !== 1)
    reasons.push(`format-invalid${reward.formatIssues.length ? `:${reward.formatIssues.join(',')}` : ''}`);
  if (trajectory.turns.length > rules.maxTurns) reasons.push('too-many-turns');
  if (trajectory.answer !== null && [...trajectory.answer].length >= rules.maxAnswerChars)
    reasons.push('answer-too-long');
  return [...new Set(reasons)];
}
