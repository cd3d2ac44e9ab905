/**
 * Budgets the two upstream agents run with, for profiles that reproduce them. RL: the released run
 * script (`run_qwen2_5_vl-7b_final_allin.sh`) and environment; evaluation: `VLLMAPIWrapper`'s
 * defaults (`agent_try=10` lets the loop make 11 model calls) and `agent_utils.execute_code`.
 */
export const UPSTREAM_LIMITS = {
  rl: {
    /** `agent.max_turns`: model calls per trajectory. */
    maxTurns: 9,
    /** `single_response_max_tokens`: tokens per model call. */
    maxTokensPerTurn: 8192,
    /** `response_length`: tokens over the whole trajectory, observations included. */
    maxResponseTokens: 16384,
    /** Images attached to one observation (`max_images_per_round`). */
    maxObservationImages: 10,
    /** Timeout the environment asks the sandbox for, per code call. */
    codeTimeoutMs: 200_000,
  },
  vlmevalkit: {
    maxModelCalls: 11,
    maxTokensPerTurn: 2048,
    temperature: 0,
    codeTimeoutMs: 60_000,
  },
} as const;
