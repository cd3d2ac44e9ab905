import type { ToolCallRecord, Trajectory, TurnRecord } from '../../agent/trajectory.js';
import type { EvalItem } from '../eval-item.js';

export type ScriptedStep =
  | { code: string; stdout?: string; imageCount?: number }
  | { search: string; resultCount?: number }
  | { imageSearch: true; resultCount?: number };

/**
 * Builds a trajectory directly (no model, no sandbox), labelled `scripted` in its model name: for
 * tests, the throughput bench and demos of the runner and reports.
 */
export function scriptedTrajectory(
  item: Pick<EvalItem, 'id' | 'prompt'>,
  script: {
    answer: string | null;
    steps?: ScriptedStep[];
    stopReason?: Trajectory['stopReason'];
    error?: string;
    modelMs?: number;
  },
): Trajectory {
  const steps = script.steps ?? [];
  const turns: TurnRecord[] = steps.map((step, index) => {
    const { toolCall, assistant } = toToolCall(step);
    return {
      index,
      assistant,
      finishReason: 'stop',
      action: toolCall.tool === 'code' ? 'code' : toolCall.tool === 'search' ? 'search' : 'image-search',
      toolCall,
      observation:
        toolCall.tool === 'code'
          ? `Code execution result:\nstdout:\n\`\`\`\n${toolCall.stdout}\n\`\`\``
          : '<tool_response>\n…\n</tool_response>',
      modelMs: script.modelMs ?? 0,
      toolMs: 0,
    };
  });
  if (script.answer !== null) {
    turns.push({
      index: turns.length,
      assistant: `<think>Done.</think>\n<answer>${script.answer}</answer>`,
      finishReason: 'stop',
      action: 'answer',
      modelMs: script.modelMs ?? 0,
      toolMs: 0,
    });
  }
  return {
    version: 1,
    id: item.id,
    model: 'scripted',
    mode: 'agent',
    profile: 'deepeyesv2',
    question: item.prompt,
    inputImages: [],
    messages: [{ role: 'user', content: item.prompt }],
    turns,
    answer: script.answer,
    stopReason: script.stopReason ?? (script.answer === null ? 'no-action' : 'answer'),
    ...(script.error ? { error: script.error } : {}),
    startedAt: new Date(0).toISOString(),
    durationMs: turns.reduce((sum, turn) => sum + turn.modelMs + turn.toolMs, 0),
    tokens: { prompt: 0, completion: 0 },
  };
}

function toToolCall(step: ScriptedStep): { toolCall: ToolCallRecord; assistant: string } {
  if ('code' in step) {
    return {
      toolCall: {
        tool: 'code',
        code: step.code,
        codeRun: step.code,
        status: 'ok',
        stdout: step.stdout ?? '',
        stderr: '',
        imageCount: step.imageCount ?? 0,
      },
      assistant: `<think>Let me check.</think>\n<code>\n\`\`\`python\n${step.code}\n\`\`\`\n</code>`,
    };
  }
  if ('search' in step) {
    return {
      toolCall: {
        tool: 'search',
        query: step.search,
        provider: 'scripted',
        resultCount: step.resultCount ?? 3,
      },
      assistant: `<think>Search.</think>\n<tool_call>\n${JSON.stringify({ name: 'search', arguments: { query: step.search } })}\n</tool_call>`,
    };
  }
  return {
    toolCall: { tool: 'image_search', provider: 'scripted', resultCount: step.resultCount ?? 3 },
    assistant: '<think>Search by image.</think>\n<tool_call>\n{"name": "image_search"}\n</tool_call>',
  };
}

/** Items without images for runner tests: question i, answer "answer-i". */
export function syntheticItems(count: number, benchmark = 'realx-bench'): EvalItem[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `item-${String(index).padStart(4, '0')}`,
    rowNumber: index,
    benchmark,
    question: `Question ${index}?`,
    prompt: `Question ${index}?`,
    answer: `answer-${index}`,
    category: index % 2 === 0 ? 'even' : 'odd',
    groups: { category: index % 2 === 0 ? 'even' : 'odd' },
    meta: {},
    loadImages: async () => [],
  }));
}
