import { z } from 'zod';
import { UserError } from '../../errors.js';

export const RL_TRAINERS = ['deepeyesv2-fork', 'verl'] as const;
export const VERL_VERSIONS = ['0.8', '0.9', '0.10'] as const;

/**
 * Everything `deepeyes train rl` turns into a verl launch. Defaults are the released DeepEyesV2
 * run (examples/deepeyesv2/run_qwen2_5_vl-7b_final_allin.sh): GRPO, lr 1e-6, no KL, batch 256,
 * mini-batch 32, prompt 8192, response 16384, n=16, temperature 1, 8192 tokens and 9 turns per
 * episode, 4×8 GPUs, 32 epochs.
 */
export const rlLaunchSchema = z.object({
  trainer: z.enum(RL_TRAINERS),
  /** Upstream verl only: the release line whose config keys to write. */
  verlVersion: z.enum(VERL_VERSIONS).default('0.10'),
  data: z.array(z.string().min(1)).min(1),
  valData: z.array(z.string().min(1)).default([]),
  model: z.string().min(1),
  /** grpo: the release's script; dapo: the paper's clip-higher (0.20 / 0.30) with token-mean loss. */
  algorithm: z.enum(['grpo', 'dapo']).default('grpo'),
  /** DAPO's dynamic sampling (drop groups whose rewards are all equal): main_ppo has none. */
  dynamicSampling: z.boolean().default(false),
  n: z.number().int().min(1).default(16),
  maxTurns: z.number().int().min(1).default(9),
  turnMaxTokens: z.number().int().min(1).default(8192),
  maxPromptLength: z.number().int().min(1).default(8192),
  maxResponseLength: z.number().int().min(1).default(16384),
  batchSize: z.number().int().min(1).default(256),
  miniBatchSize: z.number().int().min(1).default(32),
  lr: z.number().positive().default(1e-6),
  temperature: z.number().min(0).default(1),
  epochs: z.number().int().min(1).default(32),
  nnodes: z.number().int().min(1).default(4),
  gpusPerNode: z.number().int().min(1).default(8),
  tensorParallel: z.number().int().min(1).default(1),
  /** verl: `sync` rollouts cannot run agent loops. */
  rolloutMode: z.enum(['async', 'sync']).default('async'),
  /** verl ≥ 0.9 ignores the top-level `custom_reward_function` / `reward_model.reward_manager` keys. */
  legacyRewardKeys: z.boolean().default(false),
  /** Fork: env steps run at once per rollout worker (the release used 2 with a local kernel). */
  envWorkers: z.number().int().min(1).default(64),
  /** Images one prompt may carry through all turns (vLLM `limit_mm_per_prompt`). */
  maxImages: z.number().int().min(1).default(50),
  envUrl: z.string().url().default('http://127.0.0.1:8010'),
  rewardUrl: z.string().url().default('http://127.0.0.1:8003'),
  /** Where integrations/verl lives on the training machines. */
  integrationsPath: z.string().min(1).default('integrations/verl'),
  project: z.string().default('deepeyes'),
  experiment: z.string().default('deepeyesv2-rl'),
  /** `trainer.default_local_dir` (verl's default: checkpoints/<project>/<experiment> in the job's cwd). */
  checkpointDir: z.string().min(1).optional(),
  /** `trainer.save_freq`: a checkpoint every N steps (verl's default -1: none but the last). */
  saveFreq: z.number().int().min(1).optional(),
  /** Also save `actor/huggingface` weights (`hf_model`), which `train eval-checkpoints` serves. */
  saveHf: z.boolean().default(false),
});
export type RlLaunchInput = z.input<typeof rlLaunchSchema>;
export type RlLaunch = z.output<typeof rlLaunchSchema>;

export type RlLaunchFiles = {
  /** A bash script: environment, then `python3 -m verl.trainer.main_ppo` with one override per line. */
  script: string;
  /** Extra files the command refers to, by name (the agent-loop YAML for upstream verl). */
  files: Record<string, string>;
  overrides: string[];
};

/** DESIGN.md: the rollout's stop strings, kept in the output. */
const CUSTOM_STOP = '["</code>","</tool_call>"]';

function list(values: readonly string[]): string {
  return `[${values.join(',')}]`;
}

/** Combinations a trainer would accept and silently not do; refused with what to do instead. */
function refuseIgnored(launch: RlLaunch): void {
  if (launch.dynamicSampling) {
    throw new UserError(
      'rl-ignored-option',
      '--dynamic-sampling: verl.trainer.main_ppo has no dynamic sampling',
      {
        hint: "It lives in verl's DAPO recipe (recipe/dapo), which does not run the DeepEyesV2 env; drop the flag.",
      },
    );
  }
  if (launch.trainer === 'verl' && launch.rolloutMode === 'sync') {
    throw new UserError(
      'rl-ignored-option',
      '--rollout-mode sync: verl runs agent loops only with async rollouts',
      {
        hint: 'Use --rollout-mode async (the default).',
      },
    );
  }
  if (launch.trainer === 'verl' && launch.legacyRewardKeys && launch.verlVersion !== '0.8') {
    throw new UserError(
      'rl-ignored-option',
      `--legacy-reward-keys: verl ${launch.verlVersion} silently ignores top-level custom_reward_function keys`,
      { hint: 'Drop the flag: the reward is wired through reward.custom_reward_function.{path,name}.' },
    );
  }
  if (launch.trainer === 'deepeyesv2-fork' && launch.verlVersion !== '0.10') {
    throw new UserError(
      'rl-ignored-option',
      '--verl-version applies to --trainer verl only (the fork is verl 0.4)',
    );
  }
  if (launch.batchSize % launch.miniBatchSize !== 0) {
    throw new UserError(
      'rl-batch',
      `--batch-size ${launch.batchSize} is not a multiple of --mini-batch-size ${launch.miniBatchSize}`,
    );
  }
  if (launch.turnMaxTokens > launch.maxResponseLength) {
    throw new UserError(
      'rl-turn-tokens',
      '--turn-max-tokens exceeds --max-response-length; the rollout caps it there',
    );
  }
}

/**
 * Options only one trainer reads, given for the other: its launch would run without them, silently.
 * Checked on what was given (the defaults are not "given").
 */
function refuseOtherTrainersOptions(input: RlLaunchInput, launch: RlLaunch): void {
  if (launch.trainer === 'verl' && input.envWorkers !== undefined) {
    throw new UserError(
      'rl-ignored-option',
      '--env-workers applies to --trainer deepeyesv2-fork only (its env steps in flight per rollout worker)',
      {
        hint: 'Upstream verl runs one agent loop per sample; size actor_rollout_ref.rollout.agent.num_workers instead, or drop the flag.',
      },
    );
  }
  if (launch.trainer === 'deepeyesv2-fork' && input.rolloutMode !== undefined) {
    throw new UserError(
      'rl-ignored-option',
      '--rollout-mode applies to --trainer verl only (the fork has its own agent rollout)',
      { hint: 'Drop the flag.' },
    );
  }
}

/** Overrides shared by both trainers: data, model, optimisation, rollout sampling, the trainer. */
function commonOverrides(launch: RlLaunch): string[] {
  const overrides = [
    `algorithm.adv_estimator=grpo`,
    'algorithm.use_kl_in_reward=False',
    `data.train_files=${list(launch.data)}`,
    ...(launch.valData.length > 0 ? [`data.val_files=${list(launch.valData)}`] : []),
    `data.train_batch_size=${launch.batchSize}`,
    `data.max_prompt_length=${launch.maxPromptLength}`,
    `data.max_response_length=${launch.maxResponseLength}`,
    'data.return_raw_chat=True',
    'data.filter_overlong_prompts=True',
    "data.truncation='error'",
    'data.image_key=images',
    `actor_rollout_ref.model.path=${launch.model}`,
    `actor_rollout_ref.actor.optim.lr=${launch.lr}`,
    `actor_rollout_ref.actor.ppo_mini_batch_size=${launch.miniBatchSize}`,
    'actor_rollout_ref.actor.use_kl_loss=False',
    'actor_rollout_ref.actor.kl_loss_coef=0.0',
    'actor_rollout_ref.actor.entropy_coeff=0',
    'actor_rollout_ref.actor.loss_agg_mode=token-mean',
  ];
  if (launch.algorithm === 'dapo') {
    overrides.push(
      'actor_rollout_ref.actor.clip_ratio_low=0.2',
      'actor_rollout_ref.actor.clip_ratio_high=0.3',
    );
  }
  overrides.push(
    'actor_rollout_ref.rollout.name=vllm',
    `actor_rollout_ref.rollout.tensor_model_parallel_size=${launch.tensorParallel}`,
    `actor_rollout_ref.rollout.n=${launch.n}`,
    `actor_rollout_ref.rollout.temperature=${launch.temperature}`,
  );
  return overrides;
}

function trainerOverrides(launch: RlLaunch): string[] {
  return [
    'trainer.critic_warmup=0',
    "trainer.logger=['console']",
    `trainer.project_name=${launch.project}`,
    `trainer.experiment_name=${launch.experiment}`,
    `trainer.n_gpus_per_node=${launch.gpusPerNode}`,
    `trainer.nnodes=${launch.nnodes}`,
    `trainer.total_epochs=${launch.epochs}`,
    ...(launch.checkpointDir === undefined ? [] : [`trainer.default_local_dir=${launch.checkpointDir}`]),
    ...(launch.saveFreq === undefined ? [] : [`trainer.save_freq=${launch.saveFreq}`]),
    ...(launch.saveHf
      ? ["actor_rollout_ref.actor.checkpoint.save_contents=['model','optimizer','extra','hf_model']"]
      : []),
  ];
}

/** The fork (verl 0.4 dev): its own agent rollout, our env under `env_name: deepeyes_remote`, our reward. */
function forkOverrides(launch: RlLaunch): string[] {
  return [
    ...commonOverrides(launch),
    'actor_rollout_ref.rollout.agent.activate_agent=True',
    'actor_rollout_ref.rollout.agent.tool_name_key=env_name',
    `actor_rollout_ref.rollout.agent.single_response_max_tokens=${launch.turnMaxTokens}`,
    `actor_rollout_ref.rollout.agent.max_turns=${launch.maxTurns}`,
    `actor_rollout_ref.rollout.agent.concurrent_workers=${launch.envWorkers}`,
    `actor_rollout_ref.rollout.agent.custom_stop='${CUSTOM_STOP}'`,
    `actor_rollout_ref.rollout.agent.max_vllm_images=${launch.maxImages}`,
    'reward_model.reward_manager=naive_async',
    `custom_reward_function.path=${launch.integrationsPath}/deepeyes_verl/reward.py`,
    'custom_reward_function.name=compute_score',
    ...trainerOverrides(launch),
  ];
}

/** Upstream verl 0.8–0.10: our agent loop picked per row by `agent_name`, the reward under `reward.`. */
function verlOverrides(launch: RlLaunch): string[] {
  return [
    ...commonOverrides(launch),
    `actor_rollout_ref.rollout.mode=${launch.rolloutMode}`,
    'actor_rollout_ref.rollout.agent.agent_loop_config_path=deepeyes_agent_loops.yaml',
    `+actor_rollout_ref.rollout.limit_images=${launch.maxImages}`,
    'reward.reward_manager.name=naive',
    `reward.custom_reward_function.path=${launch.integrationsPath}/deepeyes_verl/reward.py`,
    'reward.custom_reward_function.name=compute_score_async',
    ...trainerOverrides(launch),
  ];
}

function agentLoopYaml(launch: RlLaunch): string {
  return [
    '# Agent loops for verl: rows with agent_name "deepeyes_agent" run DeepEyesV2 episodes against env serve.',
    '- name: deepeyes_agent',
    '  _target_: deepeyes_verl.agent_loop.DeepEyesAgentLoop',
    `  max_turns: ${launch.maxTurns}`,
    `  turn_max_tokens: ${launch.turnMaxTokens}`,
    '',
  ].join('\n');
}

/** The launch script (and files) for the chosen trainer; throws `UserError` for ignored combinations. */
export function buildRlLaunch(input: RlLaunchInput): RlLaunchFiles {
  const launch = rlLaunchSchema.parse(input);
  refuseOtherTrainersOptions(input, launch);
  refuseIgnored(launch);
  const overrides = launch.trainer === 'verl' ? verlOverrides(launch) : forkOverrides(launch);
  const header = [
    '#!/usr/bin/env bash',
    `# deepeyes train rl --trainer ${launch.trainer}${launch.trainer === 'verl' ? ` (verl ${launch.verlVersion})` : ' (DeepEyesV2 fork, verl 0.4 dev)'}, ${launch.algorithm.toUpperCase()}`,
    '# The model trains on the GPU nodes; env serve, the sandbox and reward serve run on CPU machines at these URLs.',
    'set -euo pipefail',
    `export DEEPEYES_ENV_URL=${launch.envUrl}`,
    `export DEEPEYES_REWARD_URL=${launch.rewardUrl}`,
    `export PYTHONPATH=${launch.integrationsPath}${launch.trainer === 'deepeyesv2-fork' ? `:${launch.integrationsPath}/fork_autoload` : ''}:\${PYTHONPATH:-}`,
  ];
  const command = [
    'python3 -m verl.trainer.main_ppo',
    ...overrides.map((override) => `    ${override}`),
  ].join(' \\\n');
  return {
    script: `${header.join('\n')}\n${command}\n`,
    files: launch.trainer === 'verl' ? { 'deepeyes_agent_loops.yaml': agentLoopYaml(launch) } : {},
    overrides,
  };
}
