import { randomUUID } from 'node:crypto';
import { DeepeyesError } from '../errors.js';
import { prepareModelImage } from '../image/index.js';
import type { ChatModel } from '../model/chat-model.js';
import type { ModelImage } from '../protocol/chat-message.js';
import { type AgentOptions, type AgentOptionsInput, resolveAgentOptions } from './agent-options.js';
import type { AgentEventListener } from './events.js';
import type { DriverClock, NextStep, StepInput } from './loop-state.js';
import { nextStep } from './next-step.js';
import { openLoop } from './open-loop.js';
import { type ToolDependencies, ToolRunner } from './tool-runner.js';
import { type AgentRun, recordTrajectory } from './trajectory-recorder.js';

export type AgentInput = {
  /** Item or run id; a UUID when absent. */
  id?: string;
  question: string;
  /** Encoded input images in order: `image_1`, `image_2`, … */
  images: Uint8Array[];
  /**
   * The same images already prepared by `prepareAgentImages` with the same options, for callers
   * that run many trajectories on one input (curation's k samples): skips re-encoding them.
   */
  preparedImages?: ModelImage[];
};

export type AgentDependencies = ToolDependencies & {
  model: ChatModel;
  /** Milliseconds from an arbitrary origin; injectable for tests. */
  now?: () => number;
};

export type RunHooks = { onEvent?: AgentEventListener; signal?: AbortSignal };

/**
 * Drives one trajectory: asks `nextStep` what to do, does it (model call, tool run), feeds the result
 * back. Model mistakes become recorded steps; an unreachable model or sandbox ends the run with
 * stopReason `model-error` / `sandbox-error` and the error text, and the session is always closed.
 */
export async function runAgent(
  input: AgentInput,
  dependencies: AgentDependencies,
  optionsInput: AgentOptionsInput = {},
  hooks: RunHooks = {},
): Promise<AgentRun> {
  const options = resolveAgentOptions(optionsInput);
  const now = dependencies.now ?? (() => performance.now());
  const emit = hooks.onEvent ?? (() => undefined);
  const startedAt = new Date().toISOString();
  const start = now();
  const clock = (): DriverClock => ({ elapsedMs: now() - start, aborted: hooks.signal?.aborted });
  const runId = input.id ?? randomUUID();
  const inputImages = input.preparedImages ?? (await prepareInputImages(input.images, options));
  const { model } = dependencies;
  emit({
    type: 'run-start',
    runId,
    model: model.name,
    mode: options.mode,
    question: input.question,
    imageSizes: inputImages.map((image) => [image.width, image.height]),
  });
  let state = openLoop({ runId, question: input.question, inputImages, options });
  const code = state.config.tools.code;
  const runner = new ToolRunner(
    code ? dependencies : { ...dependencies, sandbox: undefined },
    options,
    inputImages,
    runId,
  );
  try {
    // Eager: the kernel starts while the first model call is in flight; if it cannot, the first
    // code call ends the run with sandbox-error (a run that never runs code does not need it).
    // Lazy: the first code call opens it.
    if (code && options.sessionOpen === 'eager') runner.open().catch(() => undefined);
    let stepInput: StepInput = { type: 'start', ...clock() };
    for (;;) {
      const result = nextStep(state, stepInput);
      state = result.state;
      for (const event of result.events) emit(event);
      const step: NextStep = result.step;
      if (step.type === 'finish') break;
      const startedMs = now();
      try {
        if (step.type === 'run-tool') {
          const outcome = await runner.run(step.action, step.turn);
          stepInput = { type: 'tool-result', outcome, toolMs: now() - startedMs, ...clock() };
        } else {
          const timeLeft = timeLeftSignal(hooks.signal, options.timeLimitMs - (now() - start));
          const reply = await model.complete(step.request, timeLeft);
          stepInput = { type: 'model-turn', reply, modelMs: now() - startedMs, ...clock() };
        }
      } catch (error) {
        const failure = step.type === 'run-tool' ? 'tool-failure' : 'model-error';
        stepInput = { type: failure, message: describe(error), ...clock() };
      }
    }
  } finally {
    await runner.close().catch(() => undefined);
  }
  const durationMs = now() - start;
  const stopReason = state.stopReason ?? 'no-action';
  emit({ type: 'run-end', stopReason, answer: state.answer, turns: state.progress.modelCalls, durationMs });
  return recordTrajectory(state, {
    model: model.name,
    question: input.question,
    inputImages,
    startedAt,
    durationMs,
  });
}

/** Input images as `runAgent` prepares them for these options (pass them as `preparedImages`). */
export function prepareAgentImages(
  images: Uint8Array[],
  optionsInput: AgentOptionsInput = {},
): Promise<ModelImage[]> {
  return prepareInputImages(images, resolveAgentOptions(optionsInput));
}

/** Encoded once here and reused by every turn's request. */
async function prepareInputImages(images: Uint8Array[], options: AgentOptions): Promise<ModelImage[]> {
  const prepared: ModelImage[] = [];
  for (const [index, bytes] of images.entries()) {
    prepared.push(
      await prepareModelImage(bytes, {
        id: `input-${index + 1}`,
        minPixels: options.minPixels,
        maxPixels: options.maxPixels,
        profile: options.profile,
      }),
    );
  }
  return prepared;
}

function describe(error: unknown): string {
  if (error instanceof DeepeyesError) return error.hint ? `${error.message} (${error.hint})` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** The caller's signal combined with the trajectory's remaining wall-clock budget. */
function timeLeftSignal(signal: AbortSignal | undefined, remainingMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(remainingMs)));
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

export type { AgentOptions, AgentRun };
