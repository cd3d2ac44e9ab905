import type { ChatMessage, ModelImage } from '../protocol/chat-message.js';
import type { LoopState } from './loop-state.js';
import type { StoredImage, StoredMessage, Trajectory } from './trajectory.js';
import { storedImage } from './turn-record.js';

/** A finished run: the trajectory and the image files it refers to. */
export type AgentRun = {
  trajectory: Trajectory;
  /** Image files referenced by the trajectory, by relative path; `writeTrajectory` stores them. */
  files: Map<string, Uint8Array>;
};

/** What the loop state does not know about the run. */
export type RunFacts = {
  model: string;
  question: string;
  inputImages: readonly ModelImage[];
  /** ISO time the run started. */
  startedAt: string;
  durationMs: number;
};

/**
 * The trajectory of a finished loop. Images are kept as bytes under relative paths so the JSON
 * never inlines them; `writeTrajectory` puts both on disk.
 */
export function recordTrajectory(state: LoopState, facts: RunFacts): AgentRun {
  const files = new Map<string, Uint8Array>();
  const store = (image: ModelImage): StoredImage => {
    const stored = storedImage(image);
    // The first image registered under an id is the one written.
    if (!files.has(stored.path)) files.set(stored.path, image.bytes);
    return stored;
  };
  const inputImages = facts.inputImages.map(store);
  const messages = toStoredMessages(state.messages, store);
  const { options } = state.config;
  const trajectory: Trajectory = {
    version: 1,
    id: state.config.runId,
    model: facts.model,
    mode: options.mode,
    profile: options.profile,
    question: facts.question,
    inputImages,
    answer: state.answer,
    stopReason: state.stopReason ?? 'no-action',
    ...(state.error === undefined ? {} : { error: state.error }),
    startedAt: facts.startedAt,
    durationMs: facts.durationMs,
    tokens: { prompt: state.promptTokens, completion: state.progress.completionTokens },
    messages,
    turns: [...state.turns],
  };
  return { trajectory, files };
}

function toStoredMessages(
  messages: readonly ChatMessage[],
  store: (image: ModelImage) => StoredImage,
): StoredMessage[] {
  return messages.map((message) => ({
    role: message.role,
    content:
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) =>
            part.type === 'text' ? part : { type: 'image' as const, image: store(part.image) },
          ),
  }));
}
