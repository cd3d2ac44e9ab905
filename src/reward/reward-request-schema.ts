import { z } from 'zod';
import type { RewardRequest } from './reward-result.js';

const MESSAGE = z.object({
  role: z.string(),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]),
});

/**
 * One item to score as it arrives over HTTP or in a JSONL file. Accepts our camelCase names and the
 * names verl's reward manager uses (`solution_str`, `ground_truth`, `data_source`, `extra_info.question`).
 */
export const rewardItemSchema = z
  .looseObject({
    id: z.union([z.string(), z.number()]).optional(),
    trajectory: z.union([z.string(), z.array(MESSAGE)]).optional(),
    solution_str: z.string().optional(),
    groundTruth: z.string().optional(),
    ground_truth: z.string().optional(),
    dataSource: z.string().optional(),
    data_source: z.string().optional(),
    question: z.string().optional(),
    extra_info: z.looseObject({ question: z.string().optional() }).optional(),
    formula: z.string().optional(),
    options: z.record(z.string(), z.string()).optional(),
  })
  .superRefine((item, context) => {
    if (item.trajectory === undefined && item.solution_str === undefined) {
      context.addIssue({ code: 'custom', message: 'needs "trajectory" (or "solution_str")' });
    }
    if (item.groundTruth === undefined && item.ground_truth === undefined) {
      context.addIssue({ code: 'custom', message: 'needs "groundTruth" (or "ground_truth")' });
    }
    if (item.dataSource === undefined && item.data_source === undefined && item.formula === undefined) {
      context.addIssue({ code: 'custom', message: 'needs "dataSource" (or "data_source", or "formula")' });
    }
  });

export type RewardItem = z.infer<typeof rewardItemSchema>;

/** The scorer's request for a validated item. */
export function toRewardRequest(item: RewardItem): RewardRequest {
  const question = item.question ?? item.extra_info?.question;
  return {
    trajectory: item.trajectory ?? item.solution_str ?? '',
    groundTruth: item.groundTruth ?? item.ground_truth ?? '',
    dataSource: item.dataSource ?? item.data_source ?? item.formula ?? '',
    ...(question === undefined ? {} : { question }),
    ...(item.formula === undefined ? {} : { formula: item.formula }),
    ...(item.options === undefined ? {} : { options: item.options }),
  };
}
