import { timingSafeEqual } from 'node:crypto';
import multipart from '@fastify/multipart';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { SandboxStats } from '../sandbox/kernel-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { HttpError, installErrorHandling } from './http-errors.js';
import { useFastJsonParser } from './sandbox-json-body.js';
import { SandboxMetrics } from './sandbox-metrics.js';
import { registerSandboxNativeRoutes } from './sandbox-native.js';
import { SessionRegistry } from './sandbox-sessions.js';
import { registerSandboxV1Routes, SANDBOX_SERVER_NAME } from './sandbox-v1.js';

/** A sandbox that can also report its own counters (KernelSandbox does; an HTTP client may not). */
type StatsSource = {
  getStats?: () => Partial<
    Pick<SandboxStats, 'sessionsEvicted' | 'sessionsRejected' | 'memory' | 'queueWaitMs'>
  >;
};

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

export type SandboxServerOptions = {
  /** When set, every route but GET /health needs `Authorization: Bearer <token>`. */
  token?: string | undefined;
  /** Largest request body (JSON with base64 images, or multipart), in bytes. Default 64 MiB. */
  maxBodyBytes?: number;
  /** Largest image file in a multipart upload, in bytes. Default 32 MiB. */
  maxImageBytes?: number;
  /** Fastify logger option; off by default. */
  logger?: FastifyServerOptions['logger'];
};

/**
 * The sandbox HTTP server: the v1 API (drop-in for DeepEyesV2's clients), the
 * native session API, GET /health and GET /metrics. Test with `app.inject()`.
 */
export function buildSandboxServer(
  sandbox: Sandbox & StatsSource,
  options: SandboxServerOptions = {},
): FastifyInstance {
  const maxBodyBytes = options.maxBodyBytes ?? 64 * 1024 * 1024;
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: maxBodyBytes });
  const registry = new SessionRegistry(sandbox);
  const metrics = new SandboxMetrics();

  useFastJsonParser(app);
  installErrorHandling(app, { serverName: SANDBOX_SERVER_NAME });
  void app.register(multipart, {
    limits: { fileSize: options.maxImageBytes ?? 32 * 1024 * 1024, files: 64 },
  });

  if (options.token) {
    const expected = Buffer.from(`Bearer ${options.token}`);
    app.addHook('onRequest', async (request) => {
      if (request.url === '/health') return;
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        throw new HttpError(401, 'unauthorized', 'Missing or wrong bearer token', {
          hint: 'Send Authorization: Bearer <token> (the server was started with --token).',
        });
      }
    });
  }

  app.get('/health', async () => ({ status: 'ok', sessions: registry.size }));
  app.get('/metrics', async () => {
    const stats = sandbox.getStats?.();
    const memory = stats?.memory;
    return {
      sessions: registry.size,
      evictions: stats?.sessionsEvicted ?? null,
      refusals: stats?.sessionsRejected ?? null,
      memory: memory
        ? {
            budgetMb: mb(memory.budgetBytes),
            usedMb: mb(memory.usedBytes),
            baseMb: mb(memory.baseBytes),
            sampledAt: memory.sampledAt,
            evictions: memory.evictions,
            refusals: memory.refusals,
            kills: memory.kills,
          }
        : null,
      queueWaitMs: stats?.queueWaitMs ?? null,
      executions: metrics.statuses,
      timeouts: metrics.statuses.timeout,
      kills: metrics.statuses.killed,
      deaths: metrics.statuses.dead,
      latencyMs: metrics.latency(),
      sandbox: stats ?? null,
    };
  });

  // Separate scopes: the v1 routes answer errors in the v1 envelope, the native ones plainly.
  void app.register(async (scope) => registerSandboxV1Routes(scope, registry, metrics));
  void app.register(async (scope) => registerSandboxNativeRoutes(scope, registry, metrics));
  return app;
}
