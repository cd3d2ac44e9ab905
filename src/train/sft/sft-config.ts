import { UserError } from '../../errors.js';
import { renderSectionedYaml, type YamlValue } from './yaml-scalar.js';

/**
 * The cold-start SFT config for LLaMA-Factory (`llamafactory-cli train FILE.yaml`), with the defaults of
 * DeepEyesV2's released `cold_start/examples/deepeyesv2/qwen2_5vl_full_sft_final_100k.yaml` and the
 * paper: Qwen2.5-VL full fine-tuning, vision tower and projector frozen, `cutoff_len` 20480,
 * `image_max_pixels` 262144, lr 1e-5, 3 epochs, cosine, warmup 0.1, bf16, ZeRO-3, batch 128.
 * Key names are LLaMA-Factory's (`hparams/{model,data,finetuning}_args.py` and HF TrainingArguments).
 */
export type SftSettings = {
  modelNameOrPath: string;
  /** Names in `dataset_info.json`, comma-joined in the YAML. */
  datasets: string[];
  datasetDir: string;
  mediaDir: string;
  outputDir: string;
  deepspeedPath: string;
  template: string;
  cutoffLen: number;
  imageMaxPixels: number;
  learningRate: number;
  numTrainEpochs: number;
  lrSchedulerType: string;
  warmupRatio: number;
  /** Global batch: per-device batch × gradient accumulation × GPUs. Default 128. */
  globalBatchSize: number;
  perDeviceTrainBatchSize: number;
  /** GPUs over all nodes. Default 32 (the release: 4 nodes × 8, 1 × 4 accumulation). */
  gpus: number;
  freezeVisionTower: boolean;
  freezeMultiModalProjector: boolean;
  saveSteps: number;
  loggingSteps: number;
};

export const SFT_DEFAULTS = {
  template: 'qwen2_vl',
  cutoffLen: 20480,
  imageMaxPixels: 262144,
  learningRate: 1e-5,
  numTrainEpochs: 3,
  lrSchedulerType: 'cosine',
  warmupRatio: 0.1,
  globalBatchSize: 128,
  perDeviceTrainBatchSize: 1,
  gpus: 32,
  freezeVisionTower: true,
  freezeMultiModalProjector: true,
  saveSteps: 500,
  loggingSteps: 10,
} as const satisfies Partial<SftSettings>;

export type SftConfig = {
  /** Key → value in file order (after `--set` overrides). */
  values: Map<string, YamlValue>;
  yaml: string;
  gradientAccumulationSteps: number;
};

export function gradientAccumulation(
  settings: Pick<SftSettings, 'globalBatchSize' | 'perDeviceTrainBatchSize' | 'gpus'>,
): number {
  const perStep = settings.perDeviceTrainBatchSize * settings.gpus;
  const steps = settings.globalBatchSize / perStep;
  if (!Number.isInteger(steps) || steps < 1)
    throw new UserError(
      'sft-batch-mismatch',
      `global batch ${settings.globalBatchSize} is not a multiple of per-device batch ${settings.perDeviceTrainBatchSize} × ${settings.gpus} GPU(s) = ${perStep}`,
      {
        hint: 'change --batch-size, --per-device-batch-size or --gpus so that batch = per-device × accumulation × GPUs',
      },
    );
  return steps;
}

/** Builds the YAML; `overrides` (`--set key=value`) replace or add keys last, so they win. */
export function buildSftConfig(settings: SftSettings, overrides: [string, YamlValue][] = []): SftConfig {
  const gradientAccumulationSteps = gradientAccumulation(settings);
  const sections: { title: string; entries: [string, YamlValue][] }[] = [
    {
      title: 'model',
      entries: [
        ['model_name_or_path', settings.modelNameOrPath],
        ['image_max_pixels', settings.imageMaxPixels],
        ['trust_remote_code', true],
      ],
    },
    {
      title: 'method',
      entries: [
        ['stage', 'sft'],
        ['do_train', true],
        ['finetuning_type', 'full'],
        ['freeze_vision_tower', settings.freezeVisionTower],
        ['freeze_multi_modal_projector', settings.freezeMultiModalProjector],
        ['freeze_language_model', false],
        ['deepspeed', settings.deepspeedPath],
      ],
    },
    {
      title: 'dataset',
      entries: [
        ['dataset', settings.datasets.join(',')],
        ['dataset_dir', settings.datasetDir],
        ['media_dir', settings.mediaDir],
        ['template', settings.template],
        ['cutoff_len', settings.cutoffLen],
        ['overwrite_cache', true],
        ['preprocessing_num_workers', 16],
        ['dataloader_num_workers', 4],
      ],
    },
    {
      title: 'output',
      entries: [
        ['output_dir', settings.outputDir],
        ['logging_steps', settings.loggingSteps],
        ['save_steps', settings.saveSteps],
        ['plot_loss', true],
        ['overwrite_output_dir', true],
        ['save_only_model', false],
        ['report_to', 'none'],
      ],
    },
    {
      title: 'train',
      entries: [
        ['per_device_train_batch_size', settings.perDeviceTrainBatchSize],
        ['gradient_accumulation_steps', gradientAccumulationSteps],
        ['learning_rate', settings.learningRate],
        ['num_train_epochs', settings.numTrainEpochs],
        ['lr_scheduler_type', settings.lrSchedulerType],
        ['warmup_ratio', settings.warmupRatio],
        ['bf16', true],
        ['ddp_timeout', 180000000],
      ],
    },
  ];
  const known = new Set(sections.flatMap((section) => section.entries.map(([key]) => key)));
  const extra: [string, YamlValue][] = [];
  for (const [key, value] of overrides) {
    if (!/^[a-z_][a-z0-9_]*$/.test(key))
      throw new UserError('sft-bad-set', `--set ${key}=…: not a LLaMA-Factory key name`, {
        hint: 'keys are snake_case, e.g. --set save_total_limit=10',
      });
    if (known.has(key)) {
      for (const section of sections)
        for (const entry of section.entries) if (entry[0] === key) entry[1] = value;
    } else {
      extra.push([key, value]);
    }
  }
  if (extra.length > 0) sections.push({ title: 'overrides (--set)', entries: extra });
  const values = new Map(sections.flatMap((section) => section.entries));
  return { values, yaml: renderSectionedYaml(sections), gradientAccumulationSteps };
}

/** DeepSpeed ZeRO-3 with HF's "auto" values, as LLaMA-Factory's `examples/deepspeed/ds_z3_config.json`. */
export function zero3Config(): Record<string, unknown> {
  return {
    train_batch_size: 'auto',
    train_micro_batch_size_per_gpu: 'auto',
    gradient_accumulation_steps: 'auto',
    gradient_clipping: 'auto',
    zero_allow_untested_optimizer: true,
    fp16: {
      enabled: 'auto',
      loss_scale: 0,
      loss_scale_window: 1000,
      initial_scale_power: 16,
      hysteresis: 2,
      min_loss_scale: 1,
    },
    bf16: { enabled: 'auto' },
    zero_optimization: {
      stage: 3,
      overlap_comm: false,
      contiguous_gradients: true,
      sub_group_size: 1e9,
      reduce_bucket_size: 'auto',
      stage3_prefetch_bucket_size: 'auto',
      stage3_param_persistence_threshold: 'auto',
      stage3_max_live_parameters: 1e9,
      stage3_max_reuse_distance: 1e9,
      stage3_gather_16bit_weights_on_model_save: true,
    },
  };
}
