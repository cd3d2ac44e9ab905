/** The model layer: chat backends behind the `ChatModel` interface, and the doubles tests use. */
export { applyStopSequences } from './apply-stop-sequences.js';
export type { ChatModel, ChatReply, ChatRequest, FinishReason } from './chat-model.js';
export {
  convertMessages,
  DataUriCache,
  messageText,
  type OpenAIContentPart,
  type OpenAIMessage,
} from './convert-messages.js';
export { EndpointPool } from './endpoint-pool.js';
export {
  ModelChoiceError,
  ModelEndpointError,
  ModelNotFoundError,
  ModelReplyFormatError,
  ModelRequestRejectedError,
  ModelTimeoutError,
  ModelUnreachableError,
} from './model-errors.js';
export { OpenAIChatModel, type OpenAIChatModelOptions } from './openai-chat-model.js';
export { buildChatCompletionBody, normalizeBaseUrl } from './openai-wire.js';
export { ReplayChatModel } from './replay-chat-model.js';
export { ReplayExhaustedError, ReplayScriptNotFoundError } from './replay-errors.js';
export { findScript, replayPosition } from './replay-lookup.js';
export {
  parseReplayFile,
  type RecordedTurn,
  type ReplayLibrary,
  type ReplayScript,
} from './replay-script.js';
export {
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfterMs,
  type RetryPolicy,
  retryDelayMs,
} from './retry.js';
export {
  ScriptedChatModel,
  ScriptedModelError,
  type ScriptedReply,
  type ScriptedResponder,
} from './scripted-chat-model.js';
export {
  type FakeChatRequest,
  type FakeOpenAIServer,
  type FakeOpenAIServerOptions,
  type FakeReply,
  startFakeOpenAIServer,
} from './testing/fake-openai-server.js';
