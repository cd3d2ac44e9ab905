import { randomUUID } from 'node:crypto';
import { DeepeyesError } from '../errors.js';
import { prepareModelImage } from '../image/index.js';
import type { ChatModel, ChatReply } from '../model/chat-model.js';
import { type ToolSet, toolSetForMode } from '../protocol/action.js';
import { toChatContent } from '../protocol/chat-content.js';
import type { ChatMessage, ContentPart, ModelImage } from '../protocol/chat-message.js';
import { DEEPEYES_V1_SYSTEM_PROMPT, DEEPEYES_V1_USER_SUFFIX } from '../protocol/deepeyes-v1.js';
import { normalizeAssistantTurn } from '../protocol/extract-turn.js';
import { parseTurn } from '../protocol/parse-turn.js';
import { buildPrompt, stopSequences } from '../protocol/prompts.js';
import { type AgentOptions, type AgentOptionsInput, resolveAgentOptions } from './agent-options.js';
import type { AgentEventListener } from './events.js';
import { restoreStopString } from './restore-stop-string.js';
import {
  firstStop,
  maxCompletionTokens,
  maxElapsed,
  maxModelCalls,
  type RunProgress,
} from './stop-conditions.js';
import { type ToolDependencies, ToolRunner } from './tool-runner.js';
import type { StopReason, Trajectory } from './trajectory.js';
import { TrajectoryRecorder } from './trajectory-recorder.js';

export type AgentInput = {
  /** Item or run id; a UUID when absent. */
  id?: string;
  question: string;
  /** Encoded input images in order: `image_1`, `image_2`, … */
  images: Uint8Array[];
};

export type AgentDependencies = ToolDependencies & {
  model: ChatModel;
  /** Milliseconds from an arbitrary origin; injectable for tests. */
  now?: () => number;
};

export type AgentRun = {
  trajectory: Trajectory;
  /** Image files referenced by the trajectory, by relative path; `writeTrajectory` stores them. */
  files: Map<string, Uint8Array>;
};

export type RunHooks = { onEvent?: AgentEventListener; signal?: AbortSignal };

const THINK_PREFIX = '<think>';

/** Told to the model only when region image search is switched on (a deepeyes extension). */
const IMAGE_SEARCH_REGION_NOTE =
  'image_search can also search with a region of the first image: {"name": "image_search", "arguments": {"bbox_2d": [x1, y1, x2, y2]}}, in pixels of the image as you see it.';

/**
 * Drives one trajectory: model → parse → tool → observation → … → answer.
 * Model mistakes become recorded steps; an unreachable model or sandbox ends the run with
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
  const runId = input.id ?? randomUUID();
  const v1 = options.toolFormat === 'deepeyes-v1';
  const tools: ToolSet = v1
    ? {
        code: false,
        search: false,
        imageSearch: false,
        zoomIn: options.mode === 'agent',
        rotate: options.mode === 'agent',
      }
    : { ...toolSetForMode(options.mode), imageSearchRegion: options.imageSearchRegion };
  const recorder = new TrajectoryRecorder();

  const inputImages: ModelImage[] = [];
  for (const [index, bytes] of input.images.entries()) {
    // Encoded once here and reused by every turn's request.
    inputImages.push(
      await prepareModelImage(bytes, {
        id: `input-${index + 1}`,
        minPixels: options.minPixels,
        maxPixels: options.maxPixels,
        profile: options.profile,
      }),
    );
  }
  const storedInputs = inputImages.map((image) => recorder.store(image));
  emit({
    type: 'run-start',
    runId,
    model: dependencies.model.name,
    mode: options.mode,
    question: input.question,
    imageSizes: inputImages.map((image) => [image.width, image.height]),
  });

  const prompt = buildPrompt({
    mode: options.mode,
    question: input.question,
    imageCount: inputImages.length,
    systemPrompt: options.systemPrompt ?? (v1 && tools.zoomIn ? DEEPEYES_V1_SYSTEM_PROMPT : undefined),
    userTemplate:
      options.userTemplate ?? (v1 && tools.zoomIn ? `{question}${DEEPEYES_V1_USER_SUFFIX}` : undefined),
  });
  const stop = v1
    ? tools.zoomIn
      ? ['</tool_call>']
      : undefined
    : tools.code || tools.search
      ? stopSequences(options.profile)
      : undefined;
  const messages: ChatMessage[] = [];
  const system =
    prompt.system && tools.imageSearch && tools.imageSearchRegion && !options.systemPrompt
      ? `${prompt.system}\n\n${IMAGE_SEARCH_REGION_NOTE}`
      : prompt.system;
  if (system) messages.push({ role: 'system', content: system });
  const userParts: ContentPart[] = [
    ...inputImages.map((image) => ({ type: 'image' as const, image })),
    { type: 'text', text: prompt.user },
  ];
  messages.push({ role: 'user', content: userParts });

  const runner = new ToolRunner(
    tools.code ? dependencies : { ...dependencies, sandbox: undefined },
    options,
    inputImages,
    runId,
  );
  const stopConditions = [
    maxElapsed(options.timeLimitMs),
    maxModelCalls(options.maxTurns),
    maxCompletionTokens(options.maxTotalTokens),
  ];
  const progress: RunProgress = { modelCalls: 0, completionTokens: 0, elapsedMs: 0 };
  let promptTokens = 0;
  let answer: string | null = null;
  let droppedTurnAnswer: string | undefined;
  let stopReason: StopReason | undefined;
  let errorText: string | undefined;

  try {
    // The kernel starts while the first model call is in flight; if it cannot, the first code
    // call ends the run with sandbox-error (a run that never runs code does not need it).
    if (tools.code) runner.open().catch(() => undefined);
    while (stopReason === undefined) {
      progress.elapsedMs = now() - start;
      stopReason = firstStop(stopConditions, progress);
      if (stopReason !== undefined) break;
      if (hooks.signal?.aborted) {
        stopReason = 'aborted';
        break;
      }
      const turn = progress.modelCalls;
      emit({ type: 'turn-start', turn });

      const prefill = options.prefillThink && turn > 0 ? THINK_PREFIX : '';
      // A fresh array per request: the loop keeps appending to `messages`, a backend may keep the request.
      const requestMessages: ChatMessage[] = prefill
        ? [...messages, { role: 'assistant', content: prefill }]
        : [...messages];
      let reply: ChatReply;
      const modelStart = now();
      try {
        reply = await dependencies.model.complete(
          {
            messages: requestMessages,
            stop,
            maxTokens: Math.min(options.maxTokensPerTurn, options.maxTotalTokens - progress.completionTokens),
            temperature: options.temperature,
            topP: options.topP,
            seed: options.seed,
            continueFinalMessage: prefill ? true : undefined,
            metadata: { itemId: runId },
          },
          timeLeftSignal(hooks.signal, options.timeLimitMs - (now() - start)),
        );
      } catch (error) {
        stopReason = hooks.signal?.aborted ? 'aborted' : 'model-error';
        errorText = describe(error);
        emit({ type: 'error', turn, message: errorText });
        break;
      }
      const modelMs = now() - modelStart;
      progress.modelCalls += 1;
      progress.completionTokens += reply.usage?.completionTokens ?? 0;
      promptTokens += reply.usage?.promptTokens ?? 0;
      // RL keeps the stop string; the evaluation agent strips the turn and closes a cut code block.
      const text =
        options.profile === 'vlmevalkit'
          ? normalizeAssistantTurn(reply.text, 'vlmevalkit')
          : prefill + restoreStopString(reply);
      emit({
        type: 'model-reply',
        turn,
        text,
        finishReason: reply.finishReason,
        completionTokens: reply.usage?.completionTokens,
        latencyMs: modelMs,
      });
      messages.push({ role: 'assistant', content: text });
      const turnRecord = {
        index: turn,
        assistant: text,
        finishReason: reply.finishReason,
        action: 'end',
        promptTokens: reply.usage?.promptTokens,
        completionTokens: reply.usage?.completionTokens,
        modelMs,
        toolMs: 0,
      };
      recorder.turns.push(turnRecord);

      if (reply.finishReason === 'length' && options.profile !== 'vlmevalkit') {
        // A turn cut by the token limit runs nothing, as in the RL rollout.
        turnRecord.action = 'length';
        stopReason = 'length';
        break;
      }
      const action = parseTurn(text, { profile: options.profile, tools });
      turnRecord.action = action.kind;
      if (action.kind === 'answer') {
        answer = action.text;
        emit({ type: 'answer', turn, answer });
        stopReason = 'answer';
        break;
      }
      if (action.kind === 'retry') {
        // The evaluation agent drops such a turn and sends the same request again; if the budget
        // runs out, the last dropped turn is what it records as the answer.
        messages.pop();
        droppedTurnAnswer = action.finalResponse;
        continue;
      }
      if (action.kind === 'end') {
        if (options.mode === 'direct' && text.trim() !== '') {
          answer = text.trim();
          stopReason = 'answer';
        } else {
          stopReason = 'no-action';
        }
        break;
      }

      const toolStart = now();
      let observation: string;
      let observationImages: ModelImage[] = [];
      if (action.kind === 'tool-error') {
        observation = action.observation;
      } else {
        try {
          const outcome = await runner.run(action, turn);
          if (outcome.endsEpisode) {
            // upstream-rl: a failed search or an unreachable sandbox ends the episode there.
            Object.assign(turnRecord, { toolCall: outcome.record });
            emit({ type: 'tool-call', turn, call: outcome.record });
            stopReason = 'no-action';
            break;
          }
          observation = outcome.observation;
          observationImages = outcome.images;
          Object.assign(turnRecord, { toolCall: outcome.record });
          emit({ type: 'tool-call', turn, call: outcome.record });
        } catch (error) {
          stopReason = 'sandbox-error';
          errorText = describe(error);
          emit({ type: 'error', turn, message: errorText });
          break;
        }
      }
      const toolMs = now() - toolStart;
      Object.assign(turnRecord, {
        toolMs,
        observation,
        observationImages: observationImages.map((image) => recorder.store(image)),
      });
      messages.push({ role: 'user', content: toChatContent(observation, observationImages) });
      emit({
        type: 'observation',
        turn,
        text: observation,
        imageSizes: observationImages.map((image) => [image.width, image.height]),
        toolMs,
      });
    }
  } finally {
    await runner.close().catch(() => undefined);
  }

  if (answer === null && stopReason === 'max-turns' && droppedTurnAnswer !== undefined)
    answer = droppedTurnAnswer;
  const durationMs = now() - start;
  const finalReason = stopReason ?? 'no-action';
  emit({ type: 'run-end', stopReason: finalReason, answer, turns: progress.modelCalls, durationMs });
  const trajectory = recorder.finish(
    {
      id: runId,
      model: dependencies.model.name,
      mode: options.mode,
      profile: options.profile,
      question: input.question,
      inputImages: storedInputs,
      answer,
      stopReason: finalReason,
      ...(errorText === undefined ? {} : { error: errorText }),
      startedAt,
      durationMs,
      tokens: { prompt: promptTokens, completion: progress.completionTokens },
    },
    messages,
  );
  return { trajectory, files: recorder.files };
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

export type { AgentOptions };
