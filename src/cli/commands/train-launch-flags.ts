import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { type LaunchResult, launchTraining } from '../../train/launch/launch-training.js';
import { checkWorkingDir, parseEnvPairs } from '../../train/ray/build-submission.js';
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
type LaunchFlagKey = keyof typeof launchFlagsSchema.shape;
/** A command's own flags: its declared keys (the loose schema's index signature dropped) minus the launch ones. */
type OwnFlags<T> = Omit<{ [K in keyof T as string extends K ? never : K]: T[K] }, LaunchFlagKey>;

/**
 * Splits a command's parsed flags into the launch flags (`launchFlagsSchema`'s keys) and the
 * command's own, so `train sft` and `train rl` hand the launcher the same set and nothing else.
 */
export function splitLaunchFlags<T extends LaunchFlags>(flags: T): { launch: LaunchFlags; own: OwnFlags<T> } {
  const launchKeys = new Set(Object.keys(launchFlagsSchema.shape));
  const launch: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(flags)) (launchKeys.has(key) ? launch : own)[key] = value;
  return { launch: launch as LaunchFlags, own: own as OwnFlags<T> };
}

export function rayAddress(flags: { ray?: string | undefined }): string | undefined {
  return flags.ray ?? process.env.RAY_ADDRESS;
}

/** Flags that only mean something for a Ray submission, by their command-line names. */
const RAY_ONLY_FLAGS = [
  ['ray', '--ray'],
  ['submissionId', '--submission-id'],
  ['image', '--image'],
  ['workingDir', '--working-dir'],
  ['numGpus', '--num-gpus'],
  ['follow', '--follow'],
] as const;

function given(flags: LaunchFlags, key: (typeof RAY_ONLY_FLAGS)[number][0]): boolean {
  const value = flags[key];
  return value !== undefined && value !== false;
}

/**
 * Refuses, before anything is written, the launch flags a command would silently ignore: Ray
 * flags without `--launch ray`, `--env` without a launch, `--launch` with `--print` (which writes
 * and runs nothing), `--launch ray` without a dashboard, a local `--working-dir`. Shared by
 * `train sft` and `train rl`, so both launch the same way.
 */
export function refuseIgnoredLaunchFlags(flags: LaunchFlags & { print?: boolean | undefined }): void {
  const ignored = (names: string[], why: string, hint: string) =>
    new UserError(
      'launch-flag-ignored',
      `${names.join(', ')} ${names.length > 1 ? 'are' : 'is'} ignored ${why}`,
      {
        hint,
      },
    );
  if (flags.launch && flags.print)
    throw ignored(
      [`--launch ${flags.launch}`],
      'with --print, which writes and runs nothing',
      'drop one of them',
    );
  const rayOnly = RAY_ONLY_FLAGS.filter(([key]) => given(flags, key)).map(([, name]) => name);
  if (!flags.launch) {
    const unused = [...rayOnly, ...(flags.env.length > 0 ? ['--env'] : [])];
    if (unused.length > 0)
      throw ignored(
        unused,
        'without --launch',
        'add --launch ray (or --launch local for --env), or drop them',
      );
    return;
  }
  if (flags.launch === 'local' && rayOnly.length > 0)
    throw ignored(rayOnly, 'by --launch local (they shape a Ray job)', 'use --launch ray, or drop them');
  if (flags.launch === 'ray') {
    if (!rayAddress(flags))
      throw new UserError('launch-no-ray', '--launch ray needs the dashboard address', {
        hint: 'add --ray http://HEAD:8265 (or set RAY_ADDRESS)',
      });
    if (flags.workingDir) checkWorkingDir(flags.workingDir);
  }
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
