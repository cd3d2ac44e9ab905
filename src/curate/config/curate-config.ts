import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { DEFAULT_VERIFY_SETTINGS } from '../clean/verify-item.js';
import { extraSftSourceSchema } from '../export/extra-sft.js';
import { PAPER_RL_SHARES, PAPER_SFT_SHARES } from '../export/mix-shares.js';
import { DEFAULT_SFT_LIMITS } from '../export/validate-sft.js';
import { sourceSchema } from '../ingest/source-config.js';

/** An OpenAI-compatible endpoint: where it is and which model it serves. */
const endpointSchema = z.strictObject({
  /** Base URL(s), e.g. http://localhost:8000/v1 (comma-separated: round-robin). */
  url: z.string().min(1),
  /** Model name to request (default: the only model the server lists). */
  model: z.string().optional(),
  /** API key (default: $OPENAI_API_KEY). */
  apiKey: z.string().optional(),
});

const sharesSchema = z.union([z.record(z.string(), z.number().min(0)), z.literal(false)]);

const rolloutSchema = z.strictObject({
  k: z.number().int().positive().default(8),
  temperature: z.number().min(0).default(1),
  seed: z.number().int().default(0),
  /** Attempts per rollout when the model or sandbox fails, before it is left for a rerun. */
  maxAttempts: z.number().int().positive().default(3),
});

/**
 * `curate.yaml`: every stage's settings with the paper's defaults. Unknown keys are errors (a typo
 * must not silently fall back to a default). Relative paths are relative to the config file.
 */
export const curateConfigSchema = z.strictObject({
  /** The curation directory: curation.sqlite, images/, and the default export folders. */
  out: z.string().min(1),
  /** Rollouts (or items) in flight at once. */
  concurrency: z.number().int().positive().default(32),
  sources: z.array(sourceSchema).default([]),
  clean: z
    .strictObject({
      verify: z
        .strictObject({
          maxAnswerChars: z.number().int().positive().default(DEFAULT_VERIFY_SETTINGS.maxAnswerChars),
          maxAnswerWords: z.number().int().positive().default(DEFAULT_VERIFY_SETTINGS.maxAnswerWords),
          minImageSide: z.number().int().positive().default(DEFAULT_VERIFY_SETTINGS.minImageSide),
          requireImage: z.boolean().default(DEFAULT_VERIFY_SETTINGS.requireImage),
        })
        .default(DEFAULT_VERIFY_SETTINGS),
      /** Rewrite multiple-choice items into open-ended ones with this model (the paper's reformulation). */
      rewrite: endpointSchema.optional(),
      maxHashDistance: z.number().int().min(0).max(64).default(6),
      /** Benchmark files (JSONL, TSV, parquet) whose items must not be in the training data. */
      decontaminate: z.array(z.string()).default([]),
    })
    .default({ verify: DEFAULT_VERIFY_SETTINGS, maxHashDistance: 6, decontaminate: [] }),
  /** The base model of the difficulty and tool-benefit passes (the paper: Qwen2.5-VL-7B). */
  student: endpointSchema.optional(),
  /** The judge; without one, rule verifiers decide. */
  judge: endpointSchema.optional(),
  difficulty: rolloutSchema
    .extend({ maxPasses: z.number().int().min(0).default(2) })
    .default({ k: 8, temperature: 1, seed: 0, maxAttempts: 3, maxPasses: 2 }),
  toolBenefit: rolloutSchema
    .extend({ minPassesForRl: z.number().int().positive().default(1) })
    .default({ k: 8, temperature: 1, seed: 0, maxAttempts: 3, minPassesForRl: 1 }),
  /** Named teacher endpoints; attempts go round them in this order. */
  teachers: z.array(endpointSchema.extend({ name: z.string().regex(/^[\w.-]+$/u) })).default([]),
  teacher: z
    .strictObject({
      maxAttempts: z.number().int().positive().default(4),
      temperature: z.number().min(0).default(0.7),
      seed: z.number().int().default(0),
      retries: z.number().int().positive().default(3),
      maxTurns: z.number().int().positive().default(9),
      maxAnswerChars: z.number().int().positive().default(300),
    })
    .default({ maxAttempts: 4, temperature: 0.7, seed: 0, retries: 3, maxTurns: 9, maxAnswerChars: 300 }),
  /** Agent settings shared by rollouts and teachers. */
  agent: z
    .strictObject({
      profile: z.enum(['deepeyesv2', 'vlmevalkit', 'upstream-rl']).default('deepeyesv2'),
      maxTurns: z.number().int().positive().optional(),
      maxTokensPerTurn: z.number().int().positive().optional(),
      prefillThink: z.boolean().optional(),
      /** Text search: local (the bundled demo corpus or `searchIndex`), serper, none, … */
      searchProvider: z.string().optional(),
      searchIndex: z.string().optional(),
      imageSearchProvider: z.string().optional(),
      imageSearchCacheFile: z.string().optional(),
      unsafeNoIsolation: z.boolean().default(false),
      /**
       * A `deepeyes sandbox serve` on another host for the rollouts' code (its token from
       * DEEPEYES_SANDBOX_TOKEN); without one, a local sandbox on this machine.
       */
      sandboxUrl: z.url({ protocol: /^https?$/ }).optional(),
    })
    .default({ profile: 'deepeyesv2', unsafeNoIsolation: false }),
  sftExport: z
    .strictObject({
      /** Default: OUT/sft. */
      out: z.string().optional(),
      datasetName: z
        .string()
        .regex(/^[\w.-]+$/u)
        .default('deepeyes_sft'),
      template: z.string().default('qwen2_vl'),
      cutoffLen: z.number().int().positive().default(DEFAULT_SFT_LIMITS.cutoffLen),
      imageMaxPixels: z.number().int().positive().default(DEFAULT_SFT_LIMITS.imageMaxPixels),
      imageMinPixels: z.number().int().positive().default(DEFAULT_SFT_LIMITS.imageMinPixels),
      /** Shares per group, or false to keep every valid sample; default the paper's cold-start mix. */
      shares: sharesSchema.default({ ...PAPER_SFT_SHARES }),
      maxSamples: z.number().int().positive().optional(),
      extra: z.array(extraSftSourceSchema).default([]),
    })
    .default({
      datasetName: 'deepeyes_sft',
      template: 'qwen2_vl',
      ...DEFAULT_SFT_LIMITS,
      shares: { ...PAPER_SFT_SHARES },
      extra: [],
    }),
  rlExport: z
    .strictObject({
      /** Default: OUT/rl. */
      out: z.string().optional(),
      layouts: z
        .array(z.enum(['deepeyesv2', 'verl']))
        .min(1)
        .default(['deepeyesv2', 'verl']),
      shares: sharesSchema.default({ ...PAPER_RL_SHARES }),
      maxSamples: z.number().int().positive().optional(),
      agentName: z.string().default('deepeyes_agent'),
    })
    .default({
      layouts: ['deepeyesv2', 'verl'],
      shares: { ...PAPER_RL_SHARES },
      agentName: 'deepeyes_agent',
    }),
});
export type CurateConfig = z.infer<typeof curateConfigSchema>;

/** `sources.0.fields.qestion: unknown key` — each zod issue as the YAML path it is about. */
export function describeConfigIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.') || '(top level)';
      if (issue.code === 'unrecognized_keys') {
        const where = issue.path.length ? `${path}.` : '';
        return issue.keys.map((key) => `${where}${key}: unknown key`).join('\n');
      }
      return `${path}: ${issue.message}`;
    })
    .join('\n');
}

/** Parses an already-loaded config object; a bad key or value is a `UserError` naming it. */
export function parseCurateConfig(raw: unknown, origin = 'the config'): CurateConfig {
  const parsed = curateConfigSchema.safeParse(raw ?? {});
  if (!parsed.success)
    throw new UserError(
      'curate-config-invalid',
      `${origin} is not valid:\n${describeConfigIssues(parsed.error)}`,
      {
        hint: 'see docs/curation.md for every key and its default',
      },
    );
  return parsed.data;
}

/** Reads curate.yaml and resolves its relative paths against the file's folder. */
export async function loadCurateConfig(path: string): Promise<CurateConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UserError('curate-config-missing', `cannot read ${path}`, {
      cause: error,
      hint: 'give --config the curation YAML (see docs/curation.md for an example)',
    });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new UserError('curate-config-invalid', `${path} is not YAML: ${(error as Error).message}`);
  }
  return resolvePaths(parseCurateConfig(raw, path), dirname(resolve(path)));
}

/** Makes every path in the config absolute, relative to `base`. */
export function resolvePaths(config: CurateConfig, base: string): CurateConfig {
  const at = (path: string) => (isAbsolute(path) ? path : resolve(base, path));
  return {
    ...config,
    out: at(config.out),
    sources: config.sources.map((source) => ({
      ...source,
      path: at(source.path),
      ...(source.imageDir ? { imageDir: at(source.imageDir) } : {}),
    })),
    clean: { ...config.clean, decontaminate: config.clean.decontaminate.map(at) },
    agent: {
      ...config.agent,
      ...(config.agent.searchIndex ? { searchIndex: at(config.agent.searchIndex) } : {}),
      ...(config.agent.imageSearchCacheFile
        ? { imageSearchCacheFile: at(config.agent.imageSearchCacheFile) }
        : {}),
    },
    sftExport: {
      ...config.sftExport,
      out: at(config.sftExport.out ?? `${config.out}/sft`),
      extra: config.sftExport.extra.map((extra) => ({
        ...extra,
        path: at(extra.path),
        ...(extra.mediaDir ? { mediaDir: at(extra.mediaDir) } : {}),
      })),
    },
    rlExport: { ...config.rlExport, out: at(config.rlExport.out ?? `${config.out}/rl`) },
  };
}
