import type { Command } from 'commander';
import { runAgent } from '../agent/run-agent.js';
import { writeTrajectory } from '../agent/write-trajectory.js';
import { agentOptionsFromFlags, openAgentDependencies } from './agent-setup.js';
import { type EvalAgent, type EvalAgentContext, registerEvalCommand } from './commands/eval.js';
import { agentFlagsSchema } from './commands/run-options.js';
import type { CliIO } from './io.js';

/**
 * The real agent behind `deepeyes eval`: one shared model client, sandbox and search tools for the
 * run, one trajectory (and one sandbox session) per item. The item id goes to the model as metadata,
 * which is how a replay library picks the item's script.
 */
export async function createAgentRunItem({ flags, io }: EvalAgentContext): Promise<EvalAgent> {
  const agentFlags = agentFlagsSchema.parse(flags);
  const options = await agentOptionsFromFlags(agentFlags);
  const setup = await openAgentDependencies(agentFlags, io, { concurrency: flags.concurrency });
  return {
    describe: setup.describe,
    close: setup.close,
    runItem: async (item, { signal, outDir }) => {
      const images = await item.loadImages();
      const run = await runAgent(
        { id: item.id, question: item.prompt, images },
        setup.dependencies,
        options,
        { signal },
      );
      await writeTrajectory(outDir, run.trajectory, run.files);
      return run.trajectory;
    },
  };
}

/** `deepeyes eval` with the real agent plugged in (what the CLI registers). */
export function registerAgentEvalCommand(program: Command, io: CliIO): void {
  registerEvalCommand(program, io, { createRunItem: createAgentRunItem });
}
