export {
  type Action,
  type ActionKind,
  AGENT_MODES,
  type AgentMode,
  COMPAT_PROFILES,
  type CompatProfile,
  type EndReason,
  type ToolSet,
  toolSetForMode,
} from './action.js';
export { toChatContent, toRawContextAppend, VISION_TOKENS } from './chat-content.js';
export type { ChatMessage, ContentPart, ModelImage } from './chat-message.js';
export {
  CODE_REPAIR_MODES,
  type CodeFormatter,
  type CodeRepairMode,
  repairCodeUpstream,
  repairIndentation,
} from './code-repair.js';
export {
  DEEPEYES_V1_SYSTEM_PROMPT,
  DEEPEYES_V1_USER_SUFFIX,
  renderZoomErrorObservation,
  renderZoomObservation,
  resolveZoomBox,
  toRawContextAppendV1,
  ZOOM_TURN_INSTRUCTION,
  type ZoomBox,
} from './deepeyes-v1.js';
export {
  extractRlTurnParts,
  normalizeAssistantTurn,
  type RlTurnParts,
  vlmevalkitAnswer,
  vlmevalkitCode,
} from './extract-turn.js';
export { upstreamRlInitCode, vlmevalkitInitCode } from './init-code.js';
export { type ParseTurnOptions, parseTurn } from './parse-turn.js';
export {
  fillUserTemplate,
  hasQuestionPlaceholder,
  type LoadedPrompts,
  loadPromptFiles,
  type PromptFiles,
  QUESTION_PLACEHOLDERS,
} from './prompt-template.js';
export {
  type BuildPromptInput,
  type BuiltPrompt,
  buildPrompt,
  defaultSystemPrompt,
  defaultUserTemplate,
  stopSequences,
} from './prompts.js';
export { type PythonJsonOptions, type PythonJsonResult, parsePythonJson } from './python-json.js';
export {
  jsonNumberValue,
  PythonFloat,
  pythonFloat,
  pythonFloatRepr,
  pythonInt,
  pythonRound,
  pythonRoundTo,
} from './python-number.js';
export { pythonRepr, pythonStr, pythonStringRepr, pythonTypeName } from './python-repr.js';
export {
  codePointIndex,
  isPythonDecimal,
  isPythonWhitespace,
  PYTHON_DIGIT,
  PYTHON_DOT,
  PYTHON_SPACE_CLASS,
  pythonIsDigit,
  pythonLength,
  pythonLstrip,
  pythonRstrip,
  pythonSplit,
  pythonStrip,
} from './python-text.js';
export {
  type CodeOutput,
  IMAGE_PLACEHOLDER,
  MAX_OBSERVATION_IMAGES,
  renderCodeObservation,
  renderEmptyCodeObservation,
  renderImageSearchObservation,
  renderSandboxErrorObservation,
  renderSearchErrorObservation,
  renderSearchObservation,
  type TextSearchResult,
  UPSTREAM_CODE_ERROR_TEXT,
  UPSTREAM_SEARCH_ERROR_TEXT,
} from './render-observation.js';
export { interpretToolCall, type ToolCallContext } from './tool-call.js';
export {
  type RunPromptInput,
  runPromptFor,
  stopSequencesFor,
  TOOL_FORMATS,
  type ToolFormat,
  type ToolFormatChoice,
  toolSetFor,
} from './tool-format.js';
export { UPSTREAM_LIMITS } from './upstream-limits.js';
