import Fastify, { type FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { RewardScorer } from '../reward/compute-reward.js';
import { limitConcurrency, QueueFullError } from '../reward/limit-concurrency.js';
import { type RewardItem, rewardItemSchema, toRewardRequest } from '../reward/reward-request-schema.js';
import type { RewardResult } from '../reward/reward-result.js';
import { installErrorHandling, toErrorAnswer } from './http-errors.js';

export type RewardServerDeps = {
  scorer: RewardScorer;
  /** The effective settings, echoed by GET /health so an operator sees what the flags did. */
  settings?: Record<string, unknown>;
};

export type RewardServerOptions = {
  /** Items scored at once (each may wait on the judge). Default 32. */
  maxConcurrent?: number;
  /** Items allowed to wait beyond those; more answers 503 with Retry-After. Default 1024. */
  maxQueued?: number;
  /** Largest batch in one request. Default 4096. */
  maxBatchItems?: number;
  /** Request body limit in bytes. Default 64 MiB (trajectories are long). */
  bodyLimitBytes?: number;
  /** Retry-After sent with a 503, in seconds. Default 1. */
  retryAfterSeconds?: number;
  logger?: boolean;
};

/**
 * `POST /reward`: one item (returns its reward) or a batch, as a JSON array or `{ "items": [...] }`
 * (returns `{ "results": [...] }` in order; an item that fails gets `{ "error": … }` in its place).
 * `GET /health`: load. A batch is admitted whole or not at all, so a trainer never gets half a batch.
 */
export function buildRewardServer(
  deps: RewardServerDeps,
  options: RewardServerOptions = {},
): FastifyInstance {
  const maxBatchItems = options.maxBatchItems ?? 4096;
  const limit = limitConcurrency(options.maxConcurrent ?? 32, options.maxQueued ?? 1024);
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 64 * 1024 * 1024,
  });
  const batchSchema = z.union([
    z.array(z.unknown()).max(maxBatchItems),
    z.object({ items: z.array(z.unknown()).max(maxBatchItems) }),
  ]);

  installErrorHandling(app, {
    serverName: 'reward server',
    ...(options.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: options.retryAfterSeconds }),
  });

  async function scoreOne(item: RewardItem): Promise<RewardResult> {
    return limit.run(() => deps.scorer.score(toRewardRequest(item)));
  }

  app.get('/health', async () => ({
    status: 'ok',
    profile: deps.scorer.profile,
    active: limit.active,
    queued: limit.queued,
    ...(deps.settings ? { settings: deps.settings } : {}),
  }));

  app.post('/reward', async (request) => {
    const body = request.body;
    const isBatch = Array.isArray(body) || (typeof body === 'object' && body !== null && 'items' in body);
    if (!isBatch) return scoreOne(rewardItemSchema.parse(body));
    const batch = batchSchema.parse(body);
    const rawItems = Array.isArray(batch) ? batch : batch.items;
    if (!limit.hasRoomFor(rawItems.length)) throw new QueueFullError(options.maxQueued ?? 1024);
    const results = await Promise.all(
      rawItems.map(async (raw, index) => {
        const parsed = rewardItemSchema.safeParse(raw);
        try {
          if (!parsed.success) throw parsed.error;
          return await scoreOne(parsed.data);
        } catch (error) {
          const { status, body: errorBody } = toErrorAnswer(error, 'reward server');
          if (status >= 500) request.log.error({ err: error, index }, 'reward server error');
          return { index, ...errorBody };
        }
      }),
    );
    return { results };
  });

  return app;
}
