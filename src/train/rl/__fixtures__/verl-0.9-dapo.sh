#!/usr/bin/env bash
# deepeyes train rl --trainer verl (verl 0.9), DAPO
# The model trains on the GPU nodes; env serve, the sandbox and reward serve run on CPU machines at these URLs.
set -euo pipefail
export DEEPEYES_ENV_URL=http://127.0.0.1:8010
export DEEPEYES_REWARD_URL=http://127.0.0.1:8003
export PYTHONPATH=integrations/verl:${PYTHONPATH:-}
python3 -m verl.trainer.main_ppo \
    algorithm.adv_estimator=grpo \
    algorithm.use_kl_in_reward=False \
    data.train_files=[rl.parquet] \
    data.train_batch_size=256 \
    data.max_prompt_length=8192 \
    data.max_response_length=16384 \
    data.return_raw_chat=True \
    data.filter_overlong_prompts=True \
    data.truncation='error' \
    data.image_key=images \
    actor_rollout_ref.model.path=/ckpt/sft \
    actor_rollout_ref.actor.optim.lr=0.000001 \
    actor_rollout_ref.actor.ppo_mini_batch_size=32 \
    actor_rollout_ref.actor.use_kl_loss=False \
    actor_rollout_ref.actor.kl_loss_coef=0.0 \
    actor_rollout_ref.actor.entropy_coeff=0 \
    actor_rollout_ref.actor.loss_agg_mode=token-mean \
    actor_rollout_ref.actor.clip_ratio_low=0.2 \
    actor_rollout_ref.actor.clip_ratio_high=0.3 \
    actor_rollout_ref.rollout.name=vllm \
    actor_rollout_ref.rollout.tensor_model_parallel_size=1 \
    actor_rollout_ref.rollout.n=16 \
    actor_rollout_ref.rollout.temperature=1 \
    actor_rollout_ref.rollout.mode=async \
    actor_rollout_ref.rollout.agent.agent_loop_config_path=deepeyes_agent_loops.yaml \
    +actor_rollout_ref.rollout.limit_images=50 \
    reward.reward_manager.name=naive \
    reward.custom_reward_function.path=integrations/verl/deepeyes_verl/reward.py \
    reward.custom_reward_function.name=compute_score_async \
    trainer.critic_warmup=0 \
    trainer.logger=['console'] \
    trainer.project_name=deepeyes \
    trainer.experiment_name=deepeyesv2-rl \
    trainer.n_gpus_per_node=8 \
    trainer.nnodes=4 \
    trainer.total_epochs=32
