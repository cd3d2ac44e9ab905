import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { hashFiles } from '../../train/launch/hash-files.js';
import { hashText } from '../../train/ray/build-submission.js';
import { buildRlLaunch, RL_TRAINERS, VERL_VERSIONS } from '../../train/rl/verl-command.js';
import { type CliIO, processIO } from '../io.js';
import {
  addLaunchFlags,
  launchFlagsSchema,
  launchFromFlags,
  refuseIgnoredLaunchFlags,
  splitLaunchFlags,
} from './train-launch-flags.js';

const number = z.coerce.number();
const integer = z.coerce.number().int();
const csv = (value: string | undefined) =>
  value === undefined
    ? undefined
    : value
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean);

const flagsSchema = launchFlagsSchema.extend({
  trainer: z.enum(RL_TRAINERS, { error: 'give --trainer deepeyesv2-fork or --trainer verl' }),
  verlVersion: z.enum(VERL_VERSIONS).optional(),
  data: z.string({ error: 'give the RL parquet(s) with --data FILE[,FILE…]' }),
  valData: z.string().optional(),
  model: z.string({ error: 'give the model to train with --model PATH' }),
  algorithm: z.enum(['grpo', 'dapo']).optional(),
  dynamicSampling: z.boolean().optional(),
  n: integer.optional(),
  maxTurns: integer.optional(),
  turnMaxTokens: integer.optional(),
  maxPromptLength: integer.optional(),
  maxResponseLength: integer.optional(),
  batchSize: integer.optional(),
  miniBatchSize: integer.optional(),
  lr: number.optional(),
  temperature: number.optional(),
  epochs: integer.optional(),
  nnodes: integer.optional(),
  gpusPerNode: integer.optional(),
  tensorParallel: integer.optional(),
  rolloutMode: z.enum(['async', 'sync']).optional(),
  legacyRewardKeys: z.boolean().optional(),
  envWorkers: integer.optional(),
  maxImages: integer.optional(),
  envUrl: z.string().optional(),
  rewardUrl: z.string().optional(),
  integrationsPath: z.string().optional(),
  project: z.string().optional(),
  experiment: z.string().optional(),
  checkpointDir: z.string().optional(),
  saveFreq: integer.optional(),
  saveHf: z.boolean().optional(),
  out: z.string().optional(),
  print: z.boolean().optional(),
});

/** `deepeyes train rl`: writes (or prints) the verl launch for the chosen trainer. */
export async function trainRlCommand(
  rawFlags: unknown,
  io: CliIO,
): Promise<{ script: string; files: Record<string, string> }> {
  const parsed = flagsSchema.safeParse(rawFlags);
  if (!parsed.success) {
    throw new UserError('train-rl-flags', `Invalid train rl options: ${z.prettifyError(parsed.error)}`, {
      hint: 'See deepeyes train rl --help.',
    });
  }
  const { launch: launchFlags, own } = splitLaunchFlags(parsed.data);
  const { out, print, data, valData, ...rest } = own;
  const where = launchFlags.launch;
  refuseIgnoredLaunchFlags({ ...launchFlags, print });
  if (where && !out)
    throw new UserError(
      'train-rl-flags',
      `--launch ${where} needs --out: the script it runs is written there`,
      {
        hint: 'add --out RUN_DIR (on storage every node sees for --launch ray)',
      },
    );
  const defined = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== undefined));
  let launch: ReturnType<typeof buildRlLaunch>;
  try {
    launch = buildRlLaunch({ ...defined, data: csv(data) ?? [], valData: csv(valData) ?? [] } as never);
  } catch (error) {
    if (error instanceof z.ZodError)
      throw new UserError('train-rl-flags', `Invalid train rl options: ${z.prettifyError(error)}`);
    throw error;
  }
  if (print || !out) {
    io.out(launch.script);
    for (const [name, text] of Object.entries(launch.files)) io.out(`\n# --- ${name} ---\n${text}`);
  }
  if (out) {
    await mkdir(out, { recursive: true });
    await writeFile(join(out, 'run_rl.sh'), launch.script, { mode: 0o755 });
    for (const [name, text] of Object.entries(launch.files)) await writeFile(join(out, name), text);
    io.err(
      `wrote ${join(out, 'run_rl.sh')}${Object.keys(launch.files)
        .map((name) => `, ${join(out, name)}`)
        .join('')}\n`,
    );
  }
  if (where && out) {
    const files = [...(csv(data) ?? []), ...(csv(valData) ?? [])];
    const dataHash = await hashFiles(files);
    if (dataHash === undefined && where === 'ray')
      io.err('  data_hash not recorded: the parquet files are not on this machine\n');
    const config = [launch.script, ...Object.entries(launch.files).flat()].join('\0');
    await launchFromFlags(
      launchFlags,
      {
        argv: ['bash', join(resolve(out), 'run_rl.sh')],
        kind: 'rl',
        ...(dataHash ? { dataHash } : {}),
        configHash: hashText(config),
      },
      io,
    );
  }
  return launch;
}

/** Builds the `rl` subcommand; the `train` group attaches it. */
export function buildTrainRlCommand(io: CliIO = processIO()): Command {
  const command = new Command('rl')
    .description(
      'write the verl launch for DeepEyesV2 RL against env serve and reward serve (paper defaults)',
    )
    .option('--trainer <name>', 'deepeyesv2-fork (the release, verl 0.4 dev) | verl (upstream 0.8–0.10)')
    .option('--verl-version <v>', 'upstream verl line whose keys to write: 0.8 | 0.9 | 0.10', undefined)
    .option('--data <files>', 'RL parquet file(s), comma-separated')
    .option('--val-data <files>', 'validation parquet file(s), comma-separated')
    .option('--model <path>', 'model to train (HF id or path; the cold-start SFT checkpoint)')
    .option(
      '--algorithm <name>',
      'grpo (the release script) | dapo (the paper: clip 0.20/0.30, token-mean)',
      'grpo',
    )
    .option('--dynamic-sampling', "DAPO's group filtering (refused: main_ppo has none)")
    .option('--n <n>', 'samples per prompt', '16')
    .option('--max-turns <n>', 'model turns per episode', '9')
    .option('--turn-max-tokens <n>', 'tokens per model turn', '8192')
    .option('--max-prompt-length <n>', 'prompt tokens', '8192')
    .option('--max-response-length <n>', 'response tokens (all turns and observations)', '16384')
    .option('--batch-size <n>', 'prompts per step', '256')
    .option('--mini-batch-size <n>', 'PPO mini-batch', '32')
    .option('--lr <lr>', 'actor learning rate', '1e-6')
    .option('--temperature <t>', 'rollout temperature', '1')
    .option('--epochs <n>', 'total epochs', '32')
    .option('--nnodes <n>', 'GPU nodes', '4')
    .option('--gpus-per-node <n>', 'GPUs per node', '8')
    .option('--tensor-parallel <n>', 'vLLM tensor parallel size', '1')
    .option('--rollout-mode <mode>', 'verl: async (agent loops need it; the default) | sync (refused)')
    .option(
      '--legacy-reward-keys',
      'write top-level reward keys (refused for verl ≥ 0.9, which ignores them)',
    )
    .option('--env-workers <n>', 'fork: env steps in flight per rollout worker (default 64)')
    .option('--max-images <n>', 'images per prompt across turns', '50')
    .option('--env-url <url>', 'deepeyes env serve URL', 'http://127.0.0.1:8010')
    .option('--reward-url <url>', 'deepeyes reward serve URL', 'http://127.0.0.1:8003')
    .option('--integrations-path <dir>', 'integrations/verl on the training machines', 'integrations/verl')
    .option('--project <name>', 'trainer.project_name', 'deepeyes')
    .option('--experiment <name>', 'trainer.experiment_name', 'deepeyesv2-rl')
    .option(
      '--checkpoint-dir <dir>',
      'trainer.default_local_dir (default verl: checkpoints/<project>/<experiment> in the job directory)',
    )
    .option('--save-freq <n>', 'trainer.save_freq: a checkpoint every N steps (verl default: only the last)')
    .option(
      '--save-hf',
      'also save servable Hugging Face weights (actor/huggingface, checkpoint save_contents hf_model) for train eval-checkpoints',
    )
    .option(
      '--out <dir>',
      'write run_rl.sh (and the agent-loop YAML) here; --launch runs `bash RUN_DIR/run_rl.sh` (local, on the Ray head) or submits it',
    )
    .option('--print', 'print the launch to stdout (the default without --out)');
  addLaunchFlags(command);
  return command.action(async (options: Record<string, unknown>) => {
    await trainRlCommand(options, io);
  });
}
