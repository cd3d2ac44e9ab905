import type { ChatMessage } from '../protocol/chat-message.js';

export type ChatRequest = {
  messages: ChatMessage[];
  /** Generation stops at any of these; DeepEyesV2 uses `</code>` and `</tool_call>`. */
  stop?: string[];
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  /**
   * The last message is an assistant prefix (e.g. `<think>`) that the model continues,
   * vLLM's `continue_final_message`.
   */
  continueFinalMessage?: boolean;
  /**
   * Facts about the request that are not sent to a server. `itemId` names the dataset item or run,
   * so a replayed model can pick the recorded script for it.
   */
  metadata?: { itemId?: string };
};

export type FinishReason = 'stop' | 'length' | 'other';

export type ChatReply = {
  /** Generated text only (without a continued prefix). */
  text: string;
  finishReason: FinishReason;
  /** The stop sequence that ended generation, when the server reports it (vLLM `stop_reason`). */
  stopSequence?: string;
  usage?: { promptTokens: number; completionTokens: number };
  /** Model name the server answered with. */
  model: string;
  latencyMs: number;
};

export interface ChatModel {
  /** Shown in every output; replayed and scripted models say so in their name. */
  readonly name: string;
  complete(request: ChatRequest, signal?: AbortSignal): Promise<ChatReply>;
}
