export type { OutputLimits } from './execution-collector.js';
export { HttpSandbox, type HttpSandboxOptions, SandboxServerError } from './http-sandbox.js';
export { createLocalSandbox, KernelSandbox, type SandboxStats, type SessionInfo } from './kernel-sandbox.js';
export { KernelSession } from './kernel-session.js';
export type {
  ExecuteOptions,
  Execution,
  OpenSessionOptions,
  Sandbox,
  SandboxSession,
  SessionImage,
} from './sandbox.js';
export { type KernelSandboxOptions, kernelSandboxOptionsSchema } from './sandbox-options.js';
