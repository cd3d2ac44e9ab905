export { QWEN_DEFAULT_SYSTEM, renderQwenPrompt } from './chat-template.js';
export {
  Episode,
  type EpisodeDependencies,
  EpisodeError,
  type EpisodePrompt,
  type EpisodeSummary,
  ROLLOUT_BAD_WORDS,
  type SearchTools,
  type StepObservation,
  type StepResult,
  TURN_MAX_TOKENS,
  type WireImage,
  type WirePart,
} from './episode.js';
export {
  type CreateEpisodeRequest,
  createEpisodeSchema,
  ENV_PROFILES,
  type EnvProfile,
  type EpisodeOptions,
  episodeOptionsSchema,
  type FinishRequest,
  finishSchema,
  type StepRequest,
  stepSchema,
} from './episode-spec.js';
export { EpisodeStore, type EpisodeStoreOptions, type StoreCounters } from './episode-store.js';
export { gateSandbox, type SessionGateStats } from './session-gate.js';
