/**
 * The agent layer: a pure step function (`nextStep`) that decides what a run does next, and
 * `runAgent`, the driver that performs the model calls and tool runs it asks for. An external
 * driver (e.g. an RL environment server fed one model turn at a time) opens a state with
 * `openLoop`, feeds `nextStep` the turns and tool results itself, and records the finished state
 * with `recordTrajectory`.
 */
export {
  type AgentOptions,
  type AgentOptionsInput,
  agentOptionsSchema,
  resolveAgentOptions,
} from './agent-options.js';
export type { AgentEvent, AgentEventListener } from './events.js';
export type {
  DriverClock,
  LoopConfig,
  LoopState,
  ModelTurnReply,
  NextStep,
  PendingTool,
  StepInput,
  StepResult,
  ToolAction,
} from './loop-state.js';
export { LoopInputError, nextStep } from './next-step.js';
export { type OpenLoopInput, openLoop } from './open-loop.js';
export { type AgentDependencies, type AgentInput, type RunHooks, runAgent } from './run-agent.js';
export {
  firstStop,
  maxCompletionTokens,
  maxElapsed,
  maxModelCalls,
  type StopCondition,
} from './stop-conditions.js';
export { type ToolDependencies, type ToolOutcome, ToolRunner } from './tool-runner.js';
export type { StopReason, StoredImage, ToolCallRecord, Trajectory, TurnRecord } from './trajectory.js';
export { type AgentRun, type RunFacts, recordTrajectory } from './trajectory-recorder.js';
export { buildTurnRecord, storedImage } from './turn-record.js';
export { writeTrajectory } from './write-trajectory.js';
