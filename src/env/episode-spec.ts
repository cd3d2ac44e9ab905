import { z } from 'zod';
import { CODE_REPAIR_MODES } from '../protocol/code-repair.js';

/** Profiles an RL environment can follow (the evaluation agent's `vlmevalkit` is not an RL environment). */
export const ENV_PROFILES = ['deepeyesv2', 'upstream-rl'] as const;
export type EnvProfile = (typeof ENV_PROFILES)[number];

/** Most input images one episode accepts (the RL parquet has one or two). */
export const MAX_INPUT_IMAGES = 16;

/**
 * Per-episode options a trainer may set. Defaults are the released RL run's: 9 turns, code
 * cells of the environment's default budget, the server's configured search provider.
 */
export const episodeOptionsSchema = z
  .object({
    /** Model turns per episode; the step of the last one ends the episode. Default 9. */
    max_turns: z.number().int().min(1).max(64).default(9),
    /** Budget of one code cell, in ms. Default 30 000. */
    code_timeout_ms: z.number().int().min(1).max(600_000).default(30_000),
    /** A text/image search provider the server was started with, or `none`. Default: the server's. */
    search_provider: z.string().min(1).optional(),
    /** `agent`: code and search; `code`: code only. Default `agent`. */
    mode: z.enum(['agent', 'code']).default('agent'),
    /** How code is repaired before it runs; `upstream-rl` always uses `upstream`. Default `auto`. */
    code_repair: z.enum(CODE_REPAIR_MODES).optional(),
  })
  .strict();

/**
 * `POST /episodes`. Field names follow verl's row columns so an adapter can pass a row through:
 * `ground_truth` (verl: `reward_model.ground_truth`), `data_source`, `extra_info.index`.
 */
export const createEpisodeSchema = z
  .object({
    /** Input images as base64 or `data:image/…;base64,` URLs, in order (`image_1`, `image_2`, …). */
    images: z.array(z.string().min(1)).min(1).max(MAX_INPUT_IMAGES),
    question: z.string().min(1),
    ground_truth: z.string().optional(),
    data_source: z.string().min(1).optional(),
    extra_info: z
      .looseObject({
        /** The RL item index: keys the MMSearch-R1 image-search cache, appears in upstream error texts. */
        index: z.union([z.string(), z.number()]).optional(),
        question: z.string().optional(),
      })
      .optional(),
    profile: z.enum(ENV_PROFILES).default('deepeyesv2'),
    options: episodeOptionsSchema.default(() => episodeOptionsSchema.parse({})),
  })
  .strict();

export type CreateEpisodeRequest = z.infer<typeof createEpisodeSchema>;
export type EpisodeOptions = z.infer<typeof episodeOptionsSchema>;

/** `POST /episodes/{id}/step`. */
export const stepSchema = z
  .object({
    /** The model's turn as generated: stop string kept, without the `<think>` the environment pre-filled. */
    text: z.string(),
    /** vLLM's finish reason; `length` ends the episode with nothing run, as the RL rollout does. */
    finish_reason: z.enum(['stop', 'length', 'abort']).default('stop'),
  })
  .strict();
export type StepRequest = z.infer<typeof stepSchema>;

/** `POST /episodes/{id}/finish`. */
export const finishSchema = z
  .object({
    /**
     * The whole decoded response the trainer scores (verl's `solution_str`); default: the
     * episode's own turns and observations, ending in `<|im_end|>`.
     */
    response: z.string().optional(),
    ground_truth: z.string().optional(),
    data_source: z.string().min(1).optional(),
    /** Close the episode after scoring. Default true. */
    close: z.boolean().default(true),
  })
  .strict();
export type FinishRequest = z.infer<typeof finishSchema>;
