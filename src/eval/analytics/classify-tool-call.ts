import type { ToolCallRecord, Trajectory } from '../../agent/trajectory.js';
import { classifyCode } from './classify-code.js';
import type { ToolCategory } from './tool-category.js';

/** The tool-mix category of one recorded call (the code as run, after any indentation repair). */
export function classifyToolCall(call: ToolCallRecord): ToolCategory {
  switch (call.tool) {
    case 'code':
      return classifyCode(call.codeRun || call.code);
    case 'search':
      return 'text-search';
    case 'image_search':
      return 'image-search';
    case 'image_zoom_in_tool':
      return 'crop';
    case 'image_rotate_tool':
      return 'other-image';
  }
}

export type ToolUsage = { toolCalls: number; toolMix: Partial<Record<ToolCategory, number>> };

/** Counts a trajectory's tool calls by category. */
export function summarizeToolUse(trajectory: Pick<Trajectory, 'turns'>): ToolUsage {
  const toolMix: Partial<Record<ToolCategory, number>> = {};
  let toolCalls = 0;
  for (const turn of trajectory.turns) {
    if (!turn.toolCall) continue;
    toolCalls++;
    const category = classifyToolCall(turn.toolCall);
    toolMix[category] = (toolMix[category] ?? 0) + 1;
  }
  return { toolCalls, toolMix };
}
