import type { AgentOptionsInput } from '../../agent/agent-options.js';
import {
  type AgentDependencies,
  type AgentRun,
  prepareAgentImages,
  runAgent,
} from '../../agent/run-agent.js';
import type { ModelImage } from '../../protocol/chat-message.js';
import type { CurationItem } from '../curation-item.js';

/** One rollout to run: an item, its image bytes, with or without tools, and which sample it is. */
export type RolloutInput = {
  item: CurationItem;
  images: Uint8Array[];
  tools: boolean;
  /** 0-based sample number; it seeds the model call so k samples are k different requests. */
  sample: number;
};

/** Runs one trajectory: the full agent in production, the same agent with a scripted model in tests. */
export interface RolloutRunner {
  /** The model's name: it pins the stage's settings (a different model means new rollouts). */
  readonly name: string;
  run(input: RolloutInput, signal: AbortSignal): Promise<AgentRun>;
  /**
   * Optional: gets an item's images ready for `run` ahead of time (the stage calls it as it reads
   * them ahead of the slots); `run` with the same array then finds them prepared.
   */
  prepare?(images: Uint8Array[]): Promise<unknown>;
}

/** The question as the model reads it: multiple-choice items list their options. */
export function questionText(item: CurationItem): string {
  if (!item.options || item.answerType !== 'choice') return item.question;
  const listed = Object.entries(item.options)
    .map(([letter, text]) => `${letter}. ${text}`)
    .join('\n');
  return `${item.question}\nOptions:\n${listed}`;
}

export type AgentRolloutOptions = {
  /** Model (wrap it in `CachedChatModel`), sandbox and search tools, shared by every rollout. */
  dependencies: AgentDependencies;
  /**
   * Agent options (profile, budgets, prompts); mode, temperature and seed are set per rollout.
   * `sessionOpen` defaults to `lazy` here: a rollout opens its sandbox session at its first code
   * call, so the many that answer without code cost the sandbox nothing.
   */
  agent?: AgentOptionsInput;
  temperature: number;
  /** The seed of sample 0; sample i uses seed + i. */
  seed?: number;
  /** Tools on: `agent` (code + text + image search) or `code` (code only). */
  toolMode?: 'agent' | 'code';
};

/**
 * Rollouts through deepeyes' agent loop: without tools the `think` mode (reason, then answer),
 * with tools the full agent with sandbox and search, so every observation is byte-identical to
 * what the RL environment shows. Sandbox sessions open lazily (at the first code call).
 */
export function agentRollouts(options: AgentRolloutOptions): RolloutRunner {
  // The k samples of an item are given the same image array: its images are resized and encoded
  // once, and the shared ModelImages let the model client and the cache reuse their encodings.
  const prepared = new WeakMap<Uint8Array[], Promise<ModelImage[]>>();
  const prepare = (images: Uint8Array[]) => {
    let ready = prepared.get(images);
    if (!ready) {
      ready = prepareAgentImages(images, options.agent);
      ready.catch(() => prepared.delete(images));
      prepared.set(images, ready);
    }
    return ready;
  };
  return {
    name: options.dependencies.model.name,
    prepare,
    run: async (input, signal) =>
      runAgent(
        {
          id: `${input.item.id}#${input.sample}`,
          question: questionText(input.item),
          images: input.images,
          preparedImages: await prepare(input.images),
        },
        options.dependencies,
        {
          sessionOpen: 'lazy',
          ...options.agent,
          mode: input.tools ? (options.toolMode ?? 'agent') : 'think',
          temperature: options.temperature,
          seed: (options.seed ?? 0) + input.sample,
        },
        { signal },
      ),
  };
}
