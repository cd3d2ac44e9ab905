import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { type LaunchResult, launchTraining } from '../../train/launch/launch-training.js';
import { parseEnvPairs } from '../../train/ray/build-submission.js';
import type { CliIO } from '../io.js';

/** The package version, recorded in Ray job metadata. */
export const DEEPEYES_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Ray connection flags (`--ray`, `--timeout`), shared by every Ray-facing train command. */
export function addRayFlags(command: Command, required = false): Command {
  return command
    .option(
      '--ray <url>',
      `Ray dashboard address, e.g. http://HEAD:8265 (default: $RAY_ADDRESS)${required ? '' : '; needed with --launch ray'}`,
    )
    .option('--timeout <seconds>', 'limit for each dashboard request', '10');
}

/**
 * `--launch local|ray` and the Ray submission flags, for `train sft`, `train rl` and `train submit`.
 * Parse the result with `launchFlagsSchema` and pass it to `launchFromFlags`.
 */
export function addLaunchFlags(command: Command, options: { launch?: boolean } = {}): Command {
  if (options.launch !== false)
    command.option(
      '--launch <where>',
      'run the trainer: local (spawned here, signals forwarded, its exit code ours) or ray (submitted as a Ray job)',
    );
  addRayFlags(command);
  return command
    .option('--submission-id <id>', 'our own Ray submission id (default deepeyes-<kind>-<time>-<hex>)')
    .option('--image <uri>', 'container image with the trainer installed (runtime_env image_uri)')
    .option(
      '--working-dir <uri>',
      'remote package URI for runtime_env working_dir (s3://…, gs://…, https://….zip); local folders are refused',
    )
    .option(
      '--env <NAME=VALUE>',
      'environment variable for the job, repeatable (e.g. LLM_AS_A_JUDGE_BASE=http://judge:8000/v1)',
      collect,
    )
    .option('--num-gpus <n>', 'GPUs reserved for the entrypoint (entrypoint_num_gpus)')
    .option('--follow', 'after submitting, tail the job logs until it ends and exit with its status');
}

export const launchFlagsSchema = z.looseObject({
  launch: z.enum(['local', 'ray']).optional(),
  ray: z.string().optional(),
  timeout: z.coerce.number().positive().default(10),
  submissionId: z.string().optional(),
  image: z.string().optional(),
  workingDir: z.string().optional(),
  env: z.array(z.string()).default([]),
  numGpus: z.coerce.number().nonnegative().optional(),
  follow: z.boolean().default(false),
});
export type LaunchFlags = z.infer<typeof launchFlagsSchema>;

export function rayAddress(flags: { ray?: string | undefined }): string | undefined {
  return flags.ray ?? process.env.RAY_ADDRESS;
}

/** Runs or submits `argv` as the flags say; sets `process.exitCode` from a local run or a followed job. */
export async function launchFromFlags(
  flags: LaunchFlags,
  request: { argv: string[]; kind: string; dataHash?: string; configHash?: string },
  io: CliIO,
): Promise<LaunchResult> {
  const launch = flags.launch ?? 'ray';
  const address = rayAddress(flags);
  const result = await launchTraining(
    {
      launch,
      argv: request.argv,
      kind: request.kind,
      deepeyesVersion: DEEPEYES_VERSION,
      ...(request.dataHash ? { dataHash: request.dataHash } : {}),
      ...(request.configHash ? { configHash: request.configHash } : {}),
      env: parseEnvPairs(flags.env),
      ...(launch === 'ray' && address
        ? {
            ray: {
              address,
              timeoutMs: flags.timeout * 1000,
              follow: flags.follow,
              ...(flags.submissionId ? { submissionId: flags.submissionId } : {}),
              ...(flags.image ? { image: flags.image } : {}),
              ...(flags.workingDir ? { workingDir: flags.workingDir } : {}),
              ...(flags.numGpus === undefined ? {} : { numGpus: flags.numGpus }),
            },
          }
        : {}),
    },
    io,
  );
  if (result.exitCode !== 0) process.exitCode = result.exitCode;
  return result;
}
