import type { StopReason, ToolCallRecord } from './trajectory.js';

/**
 * One step of a run, emitted as it happens. The CLI, SSE endpoints and reports consume these;
 * none of them reach into the loop.
 */
export type AgentEvent =
  | {
      type: 'run-start';
      runId: string;
      model: string;
      mode: string;
      question: string;
      imageSizes: [number, number][];
    }
  | { type: 'turn-start'; turn: number }
  | {
      type: 'model-reply';
      turn: number;
      text: string;
      finishReason: string;
      completionTokens?: number;
      latencyMs: number;
    }
  | { type: 'tool-call'; turn: number; call: ToolCallRecord }
  | { type: 'observation'; turn: number; text: string; imageSizes: [number, number][]; toolMs: number }
  | { type: 'answer'; turn: number; answer: string }
  | { type: 'error'; turn: number; message: string }
  | { type: 'run-end'; stopReason: StopReason; answer: string | null; turns: number; durationMs: number };

export type AgentEventListener = (event: AgentEvent) => void;
