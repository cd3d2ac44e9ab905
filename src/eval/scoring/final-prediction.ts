import type { Trajectory } from '../../agent/trajectory.js';
import { pythonStrip } from '../../protocol/python-text.js';

/** Where the scored prediction came from. */
export type PredictionSource = 'answer' | 'last-turn';

/**
 * What is scored for a trajectory, as DeepEyesV2's VLMEvalKit agent decides it (vllm_api.py, agent
 * mode): the agent's answer when it gave one; otherwise the last model response, reduced to the first
 * `<answer>…</answer>` in it (Python `re.search` with DOTALL, then `strip()`) or, without one, the whole
 * response `strip()`ped. So a trajectory that ran out of turns, was cut by length or ended without an
 * action is scored on its last words, not counted as "no answer". Both scoring modes use it (docs/evaluation.md).
 * A last response that is empty after stripping is no answer.
 */
export function finalPrediction(trajectory: Pick<Trajectory, 'answer' | 'turns'>): {
  prediction: string | null;
  source?: PredictionSource;
} {
  if (trajectory.answer !== null) return { prediction: trajectory.answer, source: 'answer' };
  const last = trajectory.turns.at(-1)?.assistant;
  if (last === undefined) return { prediction: null };
  const tagged = /<answer>([\s\S]*?)<\/answer>/.exec(last);
  const prediction = pythonStrip(tagged ? tagged[1]! : last);
  return prediction === '' ? { prediction: null } : { prediction, source: 'last-turn' };
}
