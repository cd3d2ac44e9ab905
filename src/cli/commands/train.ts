import type { Command } from 'commander';
import { createAgentRunItem } from '../eval-agent.js';
import { type CliIO, processIO } from '../io.js';
import { registerTrainEvalCheckpointsCommand } from './train-eval-checkpoints.js';
import { registerTrainJobCommands } from './train-jobs.js';
import { registerTrainMetricsCommand } from './train-metrics.js';
import { buildTrainRlCommand } from './train-rl.js';
import { registerTrainSftCommand } from './train-sft.js';

export { addLaunchFlags, launchFlagsSchema, launchFromFlags } from './train-launch-flags.js';

/**
 * `deepeyes train …`: SFT config and launch, Ray jobs (submit, status, logs, stop, list), metrics and
 * curves. `train rl` (verl config) is attached here by the RL module through `addLaunchFlags`.
 */
export function registerTrainCommands(program: Command, io: CliIO = processIO()): Command {
  const group = program
    .command('train')
    .description('Training runs: LLaMA-Factory SFT configs, Ray job submission and logs, training curves');
  registerTrainSftCommand(group, io);
  registerTrainJobCommands(group, io);
  registerTrainMetricsCommand(group, io);
  registerTrainEvalCheckpointsCommand(group, io, { createRunItem: createAgentRunItem });
  return group;
}

/** The whole `deepeyes train` group as the CLI registers it: SFT, jobs, metrics and `train rl`. */
export function registerTrainGroup(program: Command, io: CliIO = processIO()): void {
  registerTrainCommands(program, io).addCommand(buildTrainRlCommand(io));
}
