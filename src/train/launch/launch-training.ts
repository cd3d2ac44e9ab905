import { UserError } from '../../errors.js';
import { buildSubmission } from '../ray/build-submission.js';
import { RayJobsClient } from '../ray/ray-jobs-client.js';
import { runLocal } from './run-local.js';

/** Where and how a trainer command runs; shared by `train sft`, `train rl` and `train submit`. */
export type LaunchRequest = {
  launch: 'local' | 'ray';
  /** The trainer command, e.g. `['llamafactory-cli', 'train', '/runs/x/sft.yaml']`. */
  argv: string[];
  /** `sft`, `rl` or `job`: in the default submission id and metadata. */
  kind: string;
  deepeyesVersion: string;
  dataHash?: string;
  configHash?: string;
  env?: Record<string, string>;
  ray?: {
    address: string;
    submissionId?: string;
    image?: string;
    workingDir?: string;
    numGpus?: number;
    timeoutMs?: number;
    /** Tail the logs until the job ends and return its exit status. */
    follow?: boolean;
  };
};

export type LaunchResult = { exitCode: number; submissionId?: string; status?: string };

export async function launchTraining(
  request: LaunchRequest,
  log: { out(text: string): void; err(text: string): void },
  options: { signal?: AbortSignal } = {},
): Promise<LaunchResult> {
  if (request.launch === 'local') {
    log.err(`running: ${request.argv.join(' ')}\n`);
    return { exitCode: await runLocal(request.argv, { ...(request.env ? { env: request.env } : {}) }) };
  }
  if (!request.ray?.address)
    throw new UserError('launch-no-ray', '--launch ray needs the dashboard address', {
      hint: 'add --ray http://HEAD:8265',
    });
  const client = new RayJobsClient({
    address: request.ray.address,
    ...(request.ray.timeoutMs ? { timeoutMs: request.ray.timeoutMs } : {}),
  });
  const submission = buildSubmission({
    argv: request.argv,
    kind: request.kind,
    deepeyesVersion: request.deepeyesVersion,
    ...(request.ray.submissionId ? { submissionId: request.ray.submissionId } : {}),
    ...(request.dataHash ? { dataHash: request.dataHash } : {}),
    ...(request.configHash ? { configHash: request.configHash } : {}),
    ...(request.env ? { envVars: request.env } : {}),
    ...(request.ray.image ? { image: request.ray.image } : {}),
    ...(request.ray.workingDir ? { workingDir: request.ray.workingDir } : {}),
    ...(request.ray.numGpus === undefined ? {} : { numGpus: request.ray.numGpus }),
  });
  const { submissionId } = await client.submit(submission);
  log.out(`submitted ${submissionId} to ${client.address}\n`);
  log.err(`  follow: deepeyes train logs ${submissionId} --ray ${client.address} --follow\n`);
  if (!request.ray.follow) return { exitCode: 0, submissionId };
  const final = await client.followLogs(submissionId, (text) => log.out(text), options);
  log.err(`job ${submissionId}: ${final.status}${final.message ? ` (${final.message})` : ''}\n`);
  return { exitCode: jobExitCode(final.status, final.driver_exit_code), submissionId, status: final.status };
}

/** A finished job's status as a process exit code: 0 on success, the driver's code (or 1) on failure. */
export function jobExitCode(status: string, driverExitCode?: number | null): number {
  if (status === 'SUCCEEDED') return 0;
  if (status === 'STOPPED') return 130;
  return driverExitCode && driverExitCode > 0 ? driverExitCode : 1;
}
