import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { jobExitCode } from '../../train/launch/launch-training.js';
import type { JobDetails } from '../../train/ray/ray-job-shapes.js';
import { RayJobsClient } from '../../train/ray/ray-jobs-client.js';
import type { CliIO } from '../io.js';
import {
  addLaunchFlags,
  addRayFlags,
  launchFlagsSchema,
  launchFromFlags,
  rayAddress,
} from './train-launch-flags.js';

const rayFlagsSchema = z.looseObject({
  ray: z.string().optional(),
  timeout: z.coerce.number().positive().default(10),
});

export function clientFromFlags(rawFlags: unknown): RayJobsClient {
  const flags = rayFlagsSchema.parse(rawFlags);
  const address = rayAddress(flags);
  if (!address)
    throw new UserError('ray-address-missing', 'no Ray dashboard address', {
      hint: 'pass --ray http://HEAD:8265 or set RAY_ADDRESS',
    });
  return new RayJobsClient({ address, timeoutMs: flags.timeout * 1000 });
}

const time = (ms: number | null | undefined) =>
  ms ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '–';

function describeJob(job: JobDetails): string {
  const id = job.submission_id ?? job.job_id ?? '?';
  return `${id}  ${job.status.padEnd(9)}  started ${time(job.start_time)}  ended ${time(job.end_time)}  ${job.entrypoint.slice(0, 80)}`;
}

export function registerTrainJobCommands(group: Command, io: CliIO): void {
  const submit = group
    .command('submit')
    .description(
      'Submit a command as a Ray job (Jobs REST API): deepeyes train submit --ray http://HEAD:8265 -- <entrypoint…>',
    )
    .argument('<entrypoint...>', 'the command, after --');
  addLaunchFlags(submit, { launch: false });
  submit.action(async (argv: string[], flags: Record<string, unknown>) => {
    const parsed = launchFlagsSchema.parse(flags);
    if (!rayAddress(parsed))
      throw new UserError('ray-address-missing', 'no Ray dashboard address', {
        hint: 'pass --ray http://HEAD:8265 or set RAY_ADDRESS',
      });
    await launchFromFlags({ ...parsed, launch: 'ray' }, { argv, kind: 'job' }, io);
  });

  addRayFlags(
    group
      .command('status')
      .description('Status of one Ray job (or of all jobs without ID)')
      .argument('[id]', 'submission id'),
    true,
  ).action(async (id: string | undefined, flags: Record<string, unknown>) => {
    const client = clientFromFlags(flags);
    if (!id) {
      for (const job of await client.list()) io.out(`${describeJob(job)}\n`);
      return;
    }
    const job = await client.status(id);
    io.out(`${describeJob(job)}\n`);
    if (job.message) io.out(`  ${job.message}\n`);
    if (job.metadata && Object.keys(job.metadata).length > 0)
      io.out(
        `  metadata: ${Object.entries(job.metadata)
          .map(([key, value]) => `${key}=${value}`)
          .join(' ')}\n`,
      );
  });

  addRayFlags(group.command('list').description('All jobs on the Ray cluster'), true).action(
    async (flags: Record<string, unknown>) => {
      for (const job of await clientFromFlags(flags).list()) io.out(`${describeJob(job)}\n`);
    },
  );

  addRayFlags(
    group
      .command('logs')
      .description(
        "A Ray job's driver log; --follow tails it over WebSocket until the job ends and exits with its status",
      )
      .argument('<id>', 'submission id')
      .option('--follow', 'tail until the job ends'),
    true,
  ).action(async (id: string, flags: Record<string, unknown>) => {
    const client = clientFromFlags(flags);
    if (!flags.follow) return void io.out(await client.logs(id));
    const final = await client.followLogs(id, (text) => io.out(text));
    io.err(`job ${id}: ${final.status}${final.message ? ` (${final.message})` : ''}\n`);
    const code = jobExitCode(final.status, final.driver_exit_code);
    if (code !== 0) process.exitCode = code;
  });

  addRayFlags(
    group
      .command('stop')
      .description('Stop a Ray job')
      .argument('<id>', 'submission id')
      .option('--delete', 'also delete it once stopped'),
    true,
  ).action(async (id: string, flags: Record<string, unknown>) => {
    const client = clientFromFlags(flags);
    const stopped = await client.stop(id);
    io.out(stopped ? `stopped ${id}\n` : `${id} had already ended\n`);
    if (flags.delete) {
      // Delete needs a terminal status; STOPPED comes a moment after the stop request.
      for (let attempt = 0; attempt < 50; attempt++) {
        const job = await client.status(id);
        if (['STOPPED', 'SUCCEEDED', 'FAILED'].includes(job.status)) break;
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      if (await client.delete(id)) io.out(`deleted ${id}\n`);
    }
  });
}
