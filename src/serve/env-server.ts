import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { type EpisodeDependencies, EpisodeError } from '../env/episode.js';
import { createEpisodeSchema, finishSchema, stepSchema } from '../env/episode-spec.js';
import { EpisodeStore, type EpisodeStoreOptions } from '../env/episode-store.js';
import type { SessionGateStats } from '../env/session-gate.js';
import { DeepeyesError, InputFormatError, UserError } from '../errors.js';
import { EnvMetrics } from './env-metrics.js';

export type EnvServerOptions = EpisodeStoreOptions & {
  /** Request body limit in bytes. Default 256 MiB (several full-size images, long responses). */
  bodyLimitBytes?: number;
  /** Retry-After sent with a 429, in seconds. Default 2. */
  retryAfterSeconds?: number;
  /** Sandbox back-pressure counters, shown in /metrics. */
  sandboxStats?: () => SessionGateStats;
  /** The effective settings, echoed by GET /health so an operator sees what the flags did (no secrets). */
  settings?: Record<string, unknown>;
  logger?: boolean;
};

type ErrorBody = { error: { code: string; message: string; hint?: string } };

function toErrorAnswer(error: unknown): { status: number; body: ErrorBody } {
  const body = (code: string, message: string, hint?: string): ErrorBody => ({
    error: hint === undefined ? { code, message } : { code, message, hint },
  });
  if (error instanceof EpisodeError)
    return { status: error.status, body: body(error.code, error.message, error.hint) };
  if (error instanceof ZodError) {
    const detail = error.issues
      .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
      .join('; ');
    return { status: 400, body: body('invalid-request', `Invalid request: ${detail}`) };
  }
  if (error instanceof UserError || error instanceof InputFormatError)
    return { status: 400, body: body(error.code, error.message, error.hint) };
  if (error instanceof DeepeyesError)
    return { status: 503, body: body(error.code, error.message, error.hint) };
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status < 500) {
    const code = status === 413 ? 'payload-too-large' : 'bad-request';
    return { status, body: body(code, (error as Error).message) };
  }
  return { status: 500, body: body('internal', 'Internal env server error') };
}

/**
 * `deepeyes env serve`: the DeepEyesV2 RL environment as an episode API. A thin adapter: it
 * validates, calls the episode core (src/env) and maps results and errors to JSON.
 */
export function buildEnvServer(
  dependencies: EpisodeDependencies,
  options: EnvServerOptions = {},
): { app: FastifyInstance; store: EpisodeStore; metrics: EnvMetrics } {
  const store = new EpisodeStore(dependencies, options);
  const metrics = new EnvMetrics();
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 256 * 1024 * 1024,
  });
  const startedAt = performance.now();

  app.setErrorHandler((error, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorAnswer(error);
    if (status >= 500) request.log.error({ err: error }, 'env server error');
    if (status === 429) void reply.header('retry-after', String(options.retryAfterSeconds ?? 2));
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.status(404).send({
      error: { code: 'not-found', message: `No route ${request.method} ${request.url.split('?')[0]}` },
    });
  });
  app.addHook('onClose', async () => store.closeAll());

  app.get('/health', async () => ({
    status: 'ok',
    episodes: store.size,
    capacity: store.capacity,
    ...(options.settings ? { settings: options.settings } : {}),
  }));

  app.get('/metrics', async () => ({
    episodes: { open: store.size, capacity: store.capacity, ...store.counters },
    steps: { total: metrics.steps, per_second: metrics.stepsPerSecond(), finishes: metrics.finishes },
    step_latency_ms: metrics.latency(),
    tool_errors: metrics.toolErrors,
    done_reasons: metrics.doneReasons,
    sandbox: options.sandboxStats?.() ?? null,
    memory: { rss_bytes: process.memoryUsage().rss, heap_used_bytes: process.memoryUsage().heapUsed },
    uptime_s: (performance.now() - startedAt) / 1000,
  }));

  app.post('/episodes', async (request, reply) => {
    const body = createEpisodeSchema.parse(request.body);
    const { episode, prompt } = await store.create(body);
    void reply.status(201);
    return { episode_id: episode.id, profile: episode.profile, prompt };
  });

  app.get<{ Params: { id: string } }>('/episodes/:id', async (request) =>
    store.get(request.params.id).summary(),
  );

  app.post<{ Params: { id: string } }>('/episodes/:id/step', async (request) => {
    const episode = store.get(request.params.id);
    const body = stepSchema.parse(request.body);
    const result = await episode.step(body);
    metrics.recordStep(result.timings.total_ms, result.timings.overhead_ms, {
      ...(result.tool ? { tool: result.tool.tool } : {}),
      error: result.error !== null,
      doneReason: result.done_reason,
    });
    return result;
  });

  app.post<{ Params: { id: string } }>('/episodes/:id/finish', async (request) => {
    const episode = store.get(request.params.id);
    const body = finishSchema.parse(request.body ?? {});
    const reward = await episode.finish(body);
    metrics.finishes += 1;
    if (body.close) await store.close(episode.id).catch(() => undefined);
    return {
      episode_id: episode.id,
      score: reward.score,
      acc: reward.acc,
      format: reward.format,
      decided_by: reward.decidedBy,
      formula: reward.formula,
      answer: reward.answer,
      reward,
    };
  });

  app.delete<{ Params: { id: string } }>('/episodes/:id', async (request) => {
    await store.close(request.params.id);
    return { deleted: request.params.id };
  });

  return { app, store, metrics };
}
