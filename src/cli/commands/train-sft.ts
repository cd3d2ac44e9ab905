import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { hashText } from '../../train/ray/build-submission.js';
import { checkSftExport } from '../../train/sft/check-export.js';
import { buildSftConfig, SFT_DEFAULTS, zero3Config } from '../../train/sft/sft-config.js';
import { parseSetValue } from '../../train/sft/yaml-scalar.js';
import type { CliIO } from '../io.js';
import {
  addLaunchFlags,
  launchFlagsSchema,
  launchFromFlags,
  refuseIgnoredLaunchFlags,
  splitLaunchFlags,
} from './train-launch-flags.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];
const positiveInt = z.coerce.number().int().positive();
const positive = z.coerce.number().positive();

export const sftFlagsSchema = launchFlagsSchema.extend({
  data: z.string().min(1, 'give the curation export folder with --data'),
  model: z.string().min(1, 'give the base model with --model (a path or a Hugging Face name)'),
  out: z.string().min(1, 'give the run directory with --out'),
  dataset: z.string().optional(),
  mediaDir: z.string().optional(),
  template: z.string().default(SFT_DEFAULTS.template),
  cutoffLen: positiveInt.default(SFT_DEFAULTS.cutoffLen),
  imageMaxPixels: positiveInt.default(SFT_DEFAULTS.imageMaxPixels),
  learningRate: positive.default(SFT_DEFAULTS.learningRate),
  epochs: positive.default(SFT_DEFAULTS.numTrainEpochs),
  lrScheduler: z.string().default(SFT_DEFAULTS.lrSchedulerType),
  warmupRatio: z.coerce.number().min(0).max(1).default(SFT_DEFAULTS.warmupRatio),
  batchSize: positiveInt.default(SFT_DEFAULTS.globalBatchSize),
  perDeviceBatchSize: positiveInt.default(SFT_DEFAULTS.perDeviceTrainBatchSize),
  gpus: positiveInt.default(SFT_DEFAULTS.gpus),
  saveSteps: positiveInt.default(SFT_DEFAULTS.saveSteps),
  freezeVisionTower: z.boolean().default(true),
  freezeProjector: z.boolean().default(true),
  set: z.array(z.string()).default([]),
  print: z.boolean().default(false),
});

function parseSets(pairs: string[]) {
  return pairs.map((pair): [string, ReturnType<typeof parseSetValue>] => {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new UserError('sft-bad-set', `--set ${pair}: expected key=value`, {
        hint: 'e.g. --set save_total_limit=10',
      });
    return [pair.slice(0, at), parseSetValue(pair.slice(at + 1))];
  });
}

/** `deepeyes train sft`: writes RUN_DIR/sft.yaml and ds_z3_config.json after checking the export; optionally launches. */
export async function trainSftCommand(
  rawFlags: unknown,
  io: CliIO,
): Promise<{ yamlPath?: string; yaml: string }> {
  const flags = sftFlagsSchema.parse(rawFlags);
  refuseIgnoredLaunchFlags(flags);
  const runDir = resolve(flags.out);
  const sets = parseSets(flags.set);
  const settings = {
    modelNameOrPath: flags.model,
    datasets: flags.dataset ? flags.dataset.split(',').map((name) => name.trim()) : [],
    datasetDir: resolve(flags.data),
    mediaDir: '',
    outputDir: join(runDir, 'output'),
    deepspeedPath: join(runDir, 'ds_z3_config.json'),
    template: flags.template,
    cutoffLen: flags.cutoffLen,
    imageMaxPixels: flags.imageMaxPixels,
    learningRate: flags.learningRate,
    numTrainEpochs: flags.epochs,
    lrSchedulerType: flags.lrScheduler,
    warmupRatio: flags.warmupRatio,
    globalBatchSize: flags.batchSize,
    perDeviceTrainBatchSize: flags.perDeviceBatchSize,
    gpus: flags.gpus,
    freezeVisionTower: flags.freezeVisionTower,
    freezeMultiModalProjector: flags.freezeProjector,
    saveSteps: flags.saveSteps,
    loggingSteps: SFT_DEFAULTS.loggingSteps,
  };
  // Check what the YAML will say after --set, so `--set cutoff_len=…` cannot slip past the export check.
  const draft = buildSftConfig(
    { ...settings, datasets: settings.datasets.length ? settings.datasets : ['?'] },
    sets,
  );
  const number = (key: string) => draft.values.get(key) as number;
  const checked = checkSftExport(flags.data, {
    ...(settings.datasets.length ? { datasets: settings.datasets } : {}),
    imageMaxPixels: number('image_max_pixels'),
    cutoffLen: number('cutoff_len'),
    template: String(draft.values.get('template')),
    ...(flags.mediaDir ? { mediaDir: flags.mediaDir } : {}),
  });
  const config = buildSftConfig(
    { ...settings, datasets: checked.datasets, mediaDir: checked.mediaDir },
    sets,
  );
  if (flags.print) {
    io.out(config.yaml);
    return { yaml: config.yaml };
  }
  mkdirSync(runDir, { recursive: true });
  const yamlPath = join(runDir, 'sft.yaml');
  writeFileSync(yamlPath, config.yaml);
  writeFileSync(join(runDir, 'ds_z3_config.json'), `${JSON.stringify(zero3Config(), null, 2)}\n`);
  io.out(`wrote ${yamlPath}\n      ${join(runDir, 'ds_z3_config.json')}\n`);
  io.err(
    `  ${checked.datasets.join(', ')} · batch ${flags.batchSize} = ${flags.perDeviceBatchSize} × ${config.gradientAccumulationSteps} accumulation × ${flags.gpus} GPU(s)\n`,
  );
  if (!flags.launch) {
    io.err(`  run it: llamafactory-cli train ${yamlPath}   (or add --launch local|ray)\n`);
    return { yamlPath, yaml: config.yaml };
  }
  // LLaMA-Factory launches torchrun itself when FORCE_TORCHRUN is set (multi-GPU, DeepSpeed).
  await launchFromFlags(
    { ...splitLaunchFlags(flags).launch, env: ['FORCE_TORCHRUN=1', ...flags.env] },
    {
      argv: ['llamafactory-cli', 'train', yamlPath],
      kind: 'sft',
      dataHash: checked.dataHash,
      configHash: hashText(config.yaml),
    },
    io,
  );
  return { yamlPath, yaml: config.yaml };
}

export function registerTrainSftCommand(group: Command, io: CliIO): void {
  const command = group
    .command('sft')
    .description(
      "Write a LLaMA-Factory YAML for cold-start SFT of Qwen2.5-VL (the paper's defaults) and a DeepSpeed ZeRO-3 config, checked against the export",
    )
    .requiredOption(
      '--data <dir>',
      'the curation export: dataset_info.json, data files, export-manifest.json',
    )
    .requiredOption('--model <path-or-name>', 'base model, e.g. Qwen/Qwen2.5-VL-7B-Instruct')
    .requiredOption(
      '--out <dir>',
      'run directory: sft.yaml, ds_z3_config.json, output/ (checkpoints); on shared storage for --launch ray',
    )
    .option(
      '--dataset <names>',
      'dataset names in dataset_info.json, comma-separated (default: the export manifest, else all)',
    )
    .option(
      '--media-dir <dir>',
      'folder image paths are relative to (default: the export manifest, else --data)',
    )
    .option('--template <name>', 'LLaMA-Factory chat template', SFT_DEFAULTS.template)
    .option(
      '--cutoff-len <n>',
      'max tokens per sample; must equal what the export validated',
      String(SFT_DEFAULTS.cutoffLen),
    )
    .option(
      '--image-max-pixels <n>',
      'image pixel budget; must equal what the export validated',
      String(SFT_DEFAULTS.imageMaxPixels),
    )
    .option('--learning-rate <lr>', 'peak learning rate', String(SFT_DEFAULTS.learningRate))
    .option('--epochs <n>', 'num_train_epochs', String(SFT_DEFAULTS.numTrainEpochs))
    .option('--lr-scheduler <name>', 'lr_scheduler_type', SFT_DEFAULTS.lrSchedulerType)
    .option('--warmup-ratio <r>', 'warmup_ratio', String(SFT_DEFAULTS.warmupRatio))
    .option(
      '--batch-size <n>',
      'global batch = per-device × accumulation × GPUs',
      String(SFT_DEFAULTS.globalBatchSize),
    )
    .option(
      '--per-device-batch-size <n>',
      'per_device_train_batch_size',
      String(SFT_DEFAULTS.perDeviceTrainBatchSize),
    )
    .option('--gpus <n>', 'GPUs over all nodes (sets gradient_accumulation_steps)', String(SFT_DEFAULTS.gpus))
    .option('--save-steps <n>', 'checkpoint every N steps', String(SFT_DEFAULTS.saveSteps))
    .option('--no-freeze-vision-tower', 'train the vision tower too')
    .option('--no-freeze-projector', 'train the multimodal projector too')
    .option('--set <key=value>', 'any LLaMA-Factory key, repeatable; wins over the flags above', collect)
    .option('--print', 'print the YAML instead of writing or launching');
  addLaunchFlags(command);
  command.action(async (flags: Record<string, unknown>) => void (await trainSftCommand(flags, io)));
}
