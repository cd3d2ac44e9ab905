import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Execution, SandboxSession } from '../sandbox/sandbox.js';
import { toErrorAnswer } from './sandbox-errors.js';
import type { SandboxMetrics } from './sandbox-metrics.js';
import { isSessionClosedError, type SessionRegistry } from './sandbox-sessions.js';
import {
  evictedNotice,
  NO_CODE_RESPONSE,
  toV1ErrorResponse,
  toV1Response,
  V1_DEFAULT_SESSION_ID,
  V1_DEFAULT_TIMEOUT_SECONDS,
} from './sandbox-v1-format.js';

/**
 * Largest `timeout` a call may ask for, in seconds (24 h). Beyond about 24.8 days Node's
 * timer overflows and fires at once, so a huge value would time out immediately.
 */
export const V1_MAX_TIMEOUT_SECONDS = 86_400;

// The reference server accepts any JSON object and defaults what is missing; so do we.
const executeBodySchema = z.object({
  session_id: z.string().min(1).optional(),
  code: z.string().nullish(),
  timeout: z
    .number()
    .positive()
    .max(V1_MAX_TIMEOUT_SECONDS, `timeout is in seconds and may be at most ${V1_MAX_TIMEOUT_SECONDS} (24 h)`)
    .nullish(),
});
const clearBodySchema = z.object({ session_id: z.string().min(1).optional() });

/**
 * The v1 API (`POST /jupyter_sandbox`, `POST /clear_session`) as DeepEyesV2's RL
 * environment and evaluation client call it. Code errors, timeouts and dead
 * kernels answer HTTP 200 `status: "success"` with the text in stderr; refusals keep
 * their HTTP status and the v1 envelope (see toV1ErrorResponse). Register it in a
 * scope of its own: it sets that scope's error handler.
 */
export function registerSandboxV1Routes(
  app: FastifyInstance,
  registry: SessionRegistry,
  metrics: SandboxMetrics,
): void {
  app.setErrorHandler((error, request, reply) => {
    const { status, body } = toErrorAnswer(error);
    if (status >= 500) request.log.error({ err: error }, 'sandbox server error');
    if (body.error.code === 'sandbox-full' || body.error.code === 'sandbox-memory-full') {
      void reply.header('retry-after', '1');
    }
    void reply.status(status).send(toV1ErrorResponse(body.error));
  });

  app.post('/jupyter_sandbox', async (request) => {
    const body = executeBodySchema.parse(request.body ?? {});
    if (!body.code || body.code.trim() === '') return NO_CODE_RESPONSE;
    const sessionId = body.session_id ?? V1_DEFAULT_SESSION_ID;
    const timeoutMs = Math.round((body.timeout ?? V1_DEFAULT_TIMEOUT_SECONDS) * 1000);
    const startedAt = performance.now();
    const { execution, evicted } = await executeWithRetry(registry, sessionId, body.code, timeoutMs);
    metrics.record(execution.status, performance.now() - startedAt);
    if (execution.status === 'dead') {
      // The v1 API has no "open session" call: the next call under this id gets a fresh kernel.
      await registry.close(sessionId).catch(() => {});
    }
    const response = toV1Response(execution);
    if (evicted && typeof response.output === 'object') {
      response.output.stderr = evictedNotice(sessionId) + response.output.stderr;
    }
    return response;
  });

  app.post('/clear_session', async (request) => {
    const body = clearBodySchema.parse(request.body ?? {});
    // Gone at once (the reference only set a 1 s expiry, fact 10); unknown ids are fine.
    await registry.close(body.session_id ?? V1_DEFAULT_SESSION_ID);
    return { status: 'success' };
  });
}

/**
 * A session the sandbox closed on its own (TTL, eviction) is recreated, as the reference
 * does after its TTL; `evicted` says the fresh one replaced an evicted one.
 */
async function executeWithRetry(
  registry: SessionRegistry,
  sessionId: string,
  code: string,
  timeoutMs: number,
): Promise<{ execution: Execution; evicted: boolean }> {
  let evicted = false;
  for (let attempt = 0; ; attempt += 1) {
    const opened: { session: SandboxSession; evicted: boolean } = await registry.getOrCreate(sessionId);
    evicted ||= opened.evicted;
    try {
      const execution = await opened.session.execute(code, { timeoutMs });
      registry.touch(sessionId);
      return { execution, evicted };
    } catch (error) {
      if (!isSessionClosedError(error) || attempt > 0) throw error;
      registry.forget(sessionId);
    }
  }
}
