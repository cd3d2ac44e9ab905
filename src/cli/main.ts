/**
 * The `deepeyes` command. This file only registers commands and turns errors into exit codes;
 * each command lives in `commands/<name>.ts` and writes through the `CliIO` it is given.
 */
import { Command, CommanderError } from 'commander';
import { registerCurateCommands } from './commands/curate.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerEnvCommands } from './commands/env.js';
import { registerEvalCommands } from './commands/eval.js';
import { registerRewardCommands } from './commands/reward.js';
import { registerRunCommand } from './commands/run.js';
import { registerSandboxCommand } from './commands/sandbox.js';
import { registerSearchCommands } from './commands/search.js';
import { registerTrainCommands } from './commands/train.js';
import { buildTrainRlCommand } from './commands/train-rl.js';
import { createAgentRunItem } from './eval-agent.js';
import { processIO } from './io.js';
import { reportError } from './report-error.js';

export function buildProgram(io = processIO()): Command {
  const program = new Command('deepeyes')
    .description(
      'DeepEyesV2 agent tooling: the think → code/search → observe loop, a sandboxed Python kernel, search tools, rewards and evaluation.\n' +
        'The model is served elsewhere (vLLM, SGLang, Ollama, any OpenAI-compatible API); --replay plays recorded turns instead.',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  registerRunCommand(program, io);
  registerDemoCommand(program, io);
  registerSandboxCommand(program, io);
  registerSearchCommands(program, io);
  registerRewardCommands(program, io);
  registerEnvCommands(program, io);
  registerEvalCommands(program, io, { createRunItem: createAgentRunItem });
  registerCurateCommands(program, io);
  registerTrainCommands(program, io).addCommand(buildTrainRlCommand(io));
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const io = processIO();
  const program = buildProgram(io).exitOverride();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    return reportError(error, io);
  }
}
