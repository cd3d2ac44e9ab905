/** The curation layer: from raw VQA sources to the cold-start and RL pools (issue 15). */
export { type CleanSettings, runClean } from './clean/clean-stage.js';
export { rewriteChoiceItem } from './clean/rewrite-choice.js';
export { DEFAULT_VERIFY_SETTINGS, type VerifySettings, verifyItem } from './clean/verify-item.js';
export {
  ANSWER_TYPES,
  type AnswerType,
  CATEGORIES,
  type Category,
  type CurationItem,
  curationItemSchema,
  STAGES,
  type StageName,
} from './curation-item.js';
export { qwen25Tokenizer } from './export/qwen-tokenizer.js';
export { type IngestSettings, runIngest } from './ingest/ingest-stage.js';
export { PRESETS, parseSourceArgument, type SourceConfig, sourceSchema } from './ingest/source-config.js';
export {
  progressLine,
  type StageContext,
  type StageOutcome,
  type StageProgress,
} from './pipeline/stage-context.js';
export { type DifficultySettings, runDifficulty } from './rollout/difficulty-stage.js';
export { agentRollouts, type RolloutRunner } from './rollout/rollout-runner.js';
export { runToolBenefit, type ToolBenefitSettings } from './rollout/tool-benefit-stage.js';
export { CachedChatModel } from './store/cached-chat-model.js';
export { CurationStore } from './store/curation-store.js';
export { ImageStore } from './store/image-store.js';
export { DEFAULT_ACCEPTANCE, rejectionReasons } from './teachers/accept-trajectory.js';
export { runTeachers, type TeacherSettings } from './teachers/teacher-stage.js';
