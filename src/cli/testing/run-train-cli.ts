import { Command } from 'commander';
import { registerTrainCommands } from '../commands/train.js';
import { type CliIO, memoryIO } from '../io.js';
import { reportError } from '../report-error.js';

export type CliRun = { code: number; out: string; err: string };

/**
 * Runs `deepeyes train <argv…>` in-process as `main` would, output captured: the exit code is the
 * command's `process.exitCode` or what `reportError` makes of a thrown error (2 for user errors).
 * `extend` adds subcommands `main` registers beside the train group (e.g. `train rl`).
 */
export async function runTrainCli(
  argv: string[],
  extend?: (train: Command, io: CliIO) => void,
): Promise<CliRun> {
  const io = memoryIO();
  const program = new Command('deepeyes').exitOverride();
  const train = registerTrainCommands(program, io);
  extend?.(train, io);
  process.exitCode = undefined;
  let code = 0;
  try {
    await program.parseAsync(['node', 'deepeyes', 'train', ...argv]);
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    code = reportError(error, io);
  }
  process.exitCode = undefined;
  return { code, out: io.stdout.join(''), err: io.stderr.join('') };
}
