/**
 * The `deepeyes` command. This file only registers commands and turns errors into exit codes; each
 * command lives in `commands/<name>.ts` and writes through the `CliIO` it is given.
 *
 * Commands load lazily: `deepeyes --help` lists every command from the table below without importing
 * any of them, and `deepeyes eval …` imports the eval command's modules only — not the servers, sandbox,
 * search, training and curation code of the others (start-up time is most of a small run's fixed cost;
 * docs/benchmarks.md). To add a command: one line in COMMANDS, its summary matching its description.
 */
import { Command, CommanderError } from 'commander';
import { type CliIO, processIO } from './io.js';

/** Registers one top-level command (with its subcommands) on the program. */
export type RegisterCommand = (program: Command, io: CliIO) => void;

export type LazyCommand = {
  readonly name: string;
  /** The line `deepeyes --help` shows; the command's own description (a test keeps them equal). */
  readonly summary: string;
  readonly load: () => Promise<RegisterCommand>;
};

// biome-ignore format: one line per command keeps the table readable.
export const COMMANDS: readonly LazyCommand[] = [
  { name: 'run', summary: 'answer a question about images with the agent, streaming each step', load: async () => (await import('./commands/run.js')).registerRunCommand },
  { name: 'demo', summary: 'run the bundled examples end to end (replayed model, real sandbox and search) and write their trajectories', load: async () => (await import('./commands/demo.js')).registerDemoCommand },
  { name: 'sandbox', summary: 'the isolated Python kernel sandbox', load: async () => (await import('./commands/sandbox.js')).registerSandboxCommand },
  { name: 'index', summary: 'build and extend offline search indexes (text: SQLite FTS5 BM25; images: near-duplicate)', load: async () => (await import('./commands/search.js')).registerIndexCommand },
  { name: 'search', summary: 'run one text or image search (default: the offline index; the bundled demo corpus if none is given)', load: async () => (await import('./commands/search.js')).registerSearchCommand },
  { name: 'reward', summary: 'Score trajectories with the DeepEyesV2 reward (format + judge or rule verifiers)', load: async () => (await import('./commands/reward.js')).registerRewardCommands },
  { name: 'env', summary: 'the DeepEyesV2 RL environment, served to RL trainers', load: async () => (await import('./commands/env.js')).registerEnvCommands },
  { name: 'eval', summary: 'Run a benchmark with the agent, item by item into a resumable store, then write report.md and report.html', load: async () => (await import('./eval-agent.js')).registerAgentEvalCommand },
  { name: 'report', summary: 'Write report.md and report.html for one or more evaluation runs, compared side by side', load: async () => (await import('./commands/report.js')).registerReportCommand },
  { name: 'train', summary: 'Training runs: LLaMA-Factory SFT configs, Ray job submission and logs, training curves', load: async () => (await import('./commands/train.js')).registerTrainGroup },
  { name: 'view', summary: 'a web app over run directories: runs, samples, trajectories, comparisons, curation, training', load: async () => (await import('./commands/view.js')).registerViewCommand },
];

/** The command a user's arguments name (`help <command>` included), if any. */
function requestedCommand(args: readonly string[]): string | undefined {
  const operands = args.filter((arg) => !arg.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

/**
 * The program with every command listed. Given the user's arguments, only the command they name is
 * loaded (the others are listed by summary); without them every command is loaded, as tests want.
 */
export async function buildProgram(io: CliIO = processIO(), args?: readonly string[]): Promise<Command> {
  const program = new Command('deepeyes')
    .description(
      'DeepEyesV2 agent tooling: the think → code/search → observe loop, a sandboxed Python kernel, search tools, rewards and evaluation.\n' +
        'The model is served elsewhere (vLLM, SGLang, Ollama, any OpenAI-compatible API); --replay plays recorded turns instead.',
    )
    .version('0.1.0')
    .showHelpAfterError()
    .configureOutput({ writeOut: (text) => io.out(text), writeErr: (text) => io.err(text) });
  const wanted = args === undefined ? undefined : requestedCommand(args);
  for (const entry of COMMANDS) {
    if (args === undefined || entry.name === wanted) (await entry.load())(program, io);
    else program.command(entry.name).description(entry.summary);
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const io = processIO();
  try {
    const program = (await buildProgram(io, argv.slice(2))).exitOverride();
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    // Loaded only on failure: it pulls in zod, which `deepeyes --help` otherwise never needs.
    const { reportError } = await import('./report-error.js');
    return reportError(error, io);
  }
}
