import { classifyCode } from '../../eval/analytics/classify-code.js';
import { TOOL_CATEGORIES, type ToolCategory } from '../../eval/analytics/tool-category.js';
import type { MetricPoint } from './parse-training-log.js';

/**
 * verl's rollout dumps (`trainer.rollout_data_dir`, `ray_trainer.py` `_dump_generations`): one
 * `{step}.jsonl` per step, a line per rollout `{input, output, gts, score, step, …reward extra info}`;
 * DeepEyesV2's reward adds `acc` and `format`. `output` is the decoded response, observations included,
 * so tool calls are counted from its `<code>` and `<tool_call>` blocks.
 */
export type RolloutCalls = { calls: number; categories: Partial<Record<ToolCategory, number>> };

const CODE_BLOCK = /<code>([\s\S]*?)(?:<\/code>|$)/g;
const FENCE = /```(?:python|py)?\s*\n([\s\S]*?)```/g;
const TOOL_CALL = /<tool_call>([\s\S]*?)<\/tool_call>/g;

export function countToolCalls(output: string): RolloutCalls {
  const categories: Partial<Record<ToolCategory, number>> = {};
  let calls = 0;
  const add = (category: ToolCategory) => {
    calls += 1;
    categories[category] = (categories[category] ?? 0) + 1;
  };
  for (const block of output.matchAll(CODE_BLOCK)) {
    // The fork runs the last python fence of a <code> block.
    const fences = [...block[1]!.matchAll(FENCE)];
    add(classifyCode(fences.at(-1)?.[1] ?? block[1]!));
  }
  for (const call of output.matchAll(TOOL_CALL)) {
    const name = /"name"\s*:\s*"([^"]+)"/.exec(call[1]!)?.[1];
    if (name === 'image_search') add('image-search');
    else if (name === 'search') add('text-search');
  }
  return { calls, categories };
}

/** Per-step means (and the tool-call std) of one step's rollout lines; `notes` gets unreadable lines. */
export function summarizeRolloutLines(
  text: string,
  fallbackStep: number,
  notes: string[],
  fileName: string,
): MetricPoint[] {
  const scores: number[] = [];
  const accuracies: number[] = [];
  const formats: number[] = [];
  const calls: number[] = [];
  const shares: Record<string, number> = {};
  let step = fallbackStep;
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    let row: Record<string, unknown>;
    try {
      row = JSON.parse(line) as Record<string, unknown>;
    } catch {
      notes.push(`${fileName} line ${index + 1}: broken JSON`);
      continue;
    }
    if (typeof row.step === 'number') step = row.step;
    if (typeof row.score === 'number') scores.push(row.score);
    if (typeof row.acc === 'number') accuracies.push(row.acc);
    if (typeof row.format === 'number') formats.push(row.format);
    if (typeof row.output === 'string') {
      const counted = countToolCalls(row.output);
      calls.push(counted.calls);
      for (const [category, count] of Object.entries(counted.categories))
        shares[category] = (shares[category] ?? 0) + count;
    }
  }
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const points: MetricPoint[] = [];
  const push = (key: string, values: number[]) => {
    if (values.length > 0) points.push({ step, key, value: mean(values) });
  };
  push('rollout/score', scores);
  push('rollout/acc', accuracies);
  push('rollout/format', formats);
  if (calls.length > 0) {
    const average = mean(calls);
    points.push({ step, key: 'rollout/tool_calls/mean', value: average });
    points.push({
      step,
      key: 'rollout/tool_calls/std',
      value: Math.sqrt(mean(calls.map((value) => (value - average) ** 2))),
    });
    const total = Object.values(shares).reduce((sum, value) => sum + value, 0);
    for (const category of TOOL_CATEGORIES)
      if (total > 0)
        points.push({ step, key: `rollout/tool_share/${category}`, value: (shares[category] ?? 0) / total });
  }
  return points;
}
