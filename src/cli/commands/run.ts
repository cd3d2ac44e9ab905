import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { runAgent } from '../../agent/run-agent.js';
import { writeTrajectory } from '../../agent/write-trajectory.js';
import { UserError } from '../../errors.js';
import { validateInputImage } from '../../image/validate-input-image.js';
import { agentOptionsFromFlags, openAgentDependencies } from '../agent-setup.js';
import type { CliIO } from '../io.js';
import { eventPrinter } from '../render-events.js';
import { addAgentFlags, agentFlagsSchema } from './run-options.js';

const runFlagsSchema = agentFlagsSchema.extend({
  image: z.array(z.string()).default([]),
  question: z.string().min(1, 'give the question with --question'),
  out: z.string().default('runs'),
  json: z.boolean().optional(),
});

export type RunSummary = {
  answer: string | null;
  turns: number;
  stop_reason: string;
  tool_calls: { tool: string; [key: string]: unknown }[];
  trajectory_path: string;
  model: string;
  duration_ms: number;
  error?: string;
};

/** `deepeyes run`: one question about one or more images, streamed step by step. */
export async function runCommand(rawFlags: unknown, io: CliIO): Promise<RunSummary> {
  const flags = runFlagsSchema.parse(rawFlags);
  const images = await Promise.all(
    flags.image.map(async (path) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(path));
      } catch (cause) {
        const code = (cause as NodeJS.ErrnoException).code;
        const reason =
          code === 'EISDIR'
            ? 'it is a directory'
            : code === 'ENOENT'
              ? 'no such file'
              : `${code ?? 'read failed'}`;
        throw new UserError('image-unreadable', `Cannot read --image ${path}: ${reason}`, {
          cause,
          hint: 'Give the path of an image file; repeat --image for several.',
        });
      }
      await validateInputImage(bytes, `--image ${path}`);
      return bytes;
    }),
  );
  const options = await agentOptionsFromFlags(flags);
  const setup = await openAgentDependencies(flags, io);
  try {
    const onEvent = flags.json ? undefined : eventPrinter(io);
    const run = await runAgent({ question: flags.question, images }, setup.dependencies, options, {
      onEvent,
    });
    const dir = resolve(join(flags.out, run.trajectory.id));
    const trajectoryPath = await writeTrajectory(dir, run.trajectory, run.files);
    const summary: RunSummary = {
      answer: run.trajectory.answer,
      turns: run.trajectory.turns.length,
      stop_reason: run.trajectory.stopReason,
      tool_calls: run.trajectory.turns.flatMap((turn) => (turn.toolCall ? [turn.toolCall] : [])),
      trajectory_path: trajectoryPath,
      model: run.trajectory.model,
      duration_ms: Math.round(run.trajectory.durationMs),
      ...(run.trajectory.error ? { error: run.trajectory.error } : {}),
    };
    if (flags.json) io.out(`${JSON.stringify(summary)}\n`);
    else io.out(`trajectory: ${trajectoryPath}\n`);
    return summary;
  } finally {
    await setup.close();
  }
}

export function registerRunCommand(program: Command, io: CliIO): void {
  const command = new Command('run')
    .description('answer a question about images with the agent, streaming each step')
    .option(
      '--image <path>',
      'input image (repeat for several: image_1, image_2, …)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--question <text>', 'the question')
    .option('--out <dir>', 'where trajectories are written', 'runs')
    .option('--json', 'print one JSON object instead of the step stream');
  addAgentFlags(command).action(async (flags) => {
    const summary = await runCommand(flags, io);
    if (summary.stop_reason === 'model-error' || summary.stop_reason === 'sandbox-error')
      process.exitCode = 1;
  });
  program.addCommand(command);
}
