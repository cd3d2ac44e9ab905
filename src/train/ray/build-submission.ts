import { createHash, randomBytes } from 'node:crypto';
import { UserError } from '../../errors.js';
import type { JobSubmitRequest } from './ray-job-shapes.js';

/** POSIX shell quoting: Ray runs the entrypoint through a shell. */
export function shellQuote(argument: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(argument) ? argument : `'${argument.replaceAll("'", `'"'"'`)}'`;
}

export function shellJoin(argv: string[]): string {
  return argv.map(shellQuote).join(' ');
}

export type SubmissionOptions = {
  argv: string[];
  /** Default: `deepeyes-<kind>-<UTC time>-<6 hex>`. */
  submissionId?: string;
  kind?: string;
  deepeyesVersion: string;
  /** Hashes recorded in metadata, so a run can be matched to its data and config later. */
  dataHash?: string;
  configHash?: string;
  extraMetadata?: Record<string, string>;
  envVars?: Record<string, string>;
  /** A container image with the trainer installed (runtime_env `image_uri`). */
  image?: string;
  /** A remote package URI (s3://, gs://, https://…zip) for runtime_env `working_dir`. */
  workingDir?: string;
  numGpus?: number;
  now?: Date;
};

/**
 * Over REST, Ray takes `working_dir` only as a URI of an already uploaded package: the SDK zips a local
 * folder (≤ 100 MiB) and uploads it first, which we do not do — training code belongs in the image.
 */
export function checkWorkingDir(workingDir: string): void {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(workingDir) || workingDir.startsWith('file://'))
    throw new UserError('ray-working-dir-local', `--working-dir ${workingDir} is a local folder`, {
      hint: 'the Jobs REST API cannot upload folders: bake the code into --image, or give a package URI (s3://…, gs://…, https://….zip)',
    });
}

export function defaultSubmissionId(kind: string, now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `deepeyes-${kind}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export function hashText(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

export function buildSubmission(options: SubmissionOptions): JobSubmitRequest {
  if (options.argv.length === 0)
    throw new UserError('ray-no-entrypoint', 'no entrypoint to submit', {
      hint: 'put the command after --, e.g. deepeyes train submit --ray URL -- python3 -m verl.trainer.main_ppo …',
    });
  if (options.workingDir) checkWorkingDir(options.workingDir);
  const submissionId = options.submissionId ?? defaultSubmissionId(options.kind ?? 'job', options.now);
  if (!/^[A-Za-z0-9_.-]+$/.test(submissionId))
    throw new UserError(
      'ray-submission-id-invalid',
      `--submission-id ${submissionId}: use letters, digits, _ . -`,
    );
  const runtimeEnv: Record<string, unknown> = {};
  if (options.image) runtimeEnv.image_uri = options.image;
  if (options.workingDir) runtimeEnv.working_dir = options.workingDir;
  if (options.envVars && Object.keys(options.envVars).length > 0) runtimeEnv.env_vars = options.envVars;
  const metadata: Record<string, string> = {
    deepeyes_version: options.deepeyesVersion,
    ...(options.kind ? { deepeyes_kind: options.kind } : {}),
    ...(options.dataHash ? { data_hash: options.dataHash } : {}),
    ...(options.configHash ? { config_hash: options.configHash } : {}),
    ...options.extraMetadata,
  };
  return {
    entrypoint: shellJoin(options.argv),
    submission_id: submissionId,
    metadata,
    ...(Object.keys(runtimeEnv).length > 0 ? { runtime_env: runtimeEnv } : {}),
    ...(options.numGpus === undefined ? {} : { entrypoint_num_gpus: options.numGpus }),
  };
}

/** `KEY=VALUE` pairs (`--env`) into an object; a bad pair is a user error. */
export function parseEnvPairs(pairs: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, at)))
      throw new UserError('bad-env', `--env ${pair}: expected NAME=VALUE`, {
        hint: 'e.g. --env LLM_AS_A_JUDGE_BASE=http://judge:8000/v1',
      });
    env[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return env;
}
