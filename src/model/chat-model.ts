/** An image as the model receives it: already resized and encoded, reused on every turn. */
export type ModelImage = {
  /** Stable id within a trajectory; backends cache the data URI by it. */
  id: string;
  mimeType: 'image/png' | 'image/jpeg';
  bytes: Uint8Array;
  width: number;
  height: number;
};

export type ContentPart = { type: 'text'; text: string } | { type: 'image'; image: ModelImage };

export type ChatMessage = {
  role: 'system' | 'user' | 'assistant';
  content: string | ContentPart[];
};

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
