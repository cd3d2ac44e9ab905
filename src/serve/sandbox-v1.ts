import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Execution, SandboxSession } from '../sandbox/sandbox.js';
import type { SandboxMetrics } from './sandbox-metrics.js';
import { isSessionClosedError, type SessionRegistry } from './sandbox-sessions.js';
import {
  NO_CODE_RESPONSE,
  toV1Response,
  V1_DEFAULT_SESSION_ID,
  V1_DEFAULT_TIMEOUT_SECONDS,
} from './sandbox-v1-format.js';

// The reference server accepts any JSON object and defaults what is missing; so do we.
const executeBodySchema = z.object({
  session_id: z.string().min(1).optional(),
  code: z.string().nullish(),
  timeout: z.number().positive().nullish(),
});
const clearBodySchema = z.object({ session_id: z.string().min(1).optional() });

/**
 * The v1 API (`POST /jupyter_sandbox`, `POST /clear_session`) as DeepEyesV2's RL
 * environment and evaluation client call it. Code errors, timeouts and dead
 * kernels answer HTTP 200 `status: "success"` with the text in stderr.
 */
export function registerSandboxV1Routes(
  app: FastifyInstance,
  registry: SessionRegistry,
  metrics: SandboxMetrics,
): void {
  app.post('/jupyter_sandbox', async (request) => {
    const body = executeBodySchema.parse(request.body ?? {});
    if (!body.code || body.code.trim() === '') return NO_CODE_RESPONSE;
    const sessionId = body.session_id ?? V1_DEFAULT_SESSION_ID;
    const timeoutMs = Math.round((body.timeout ?? V1_DEFAULT_TIMEOUT_SECONDS) * 1000);
    const startedAt = performance.now();
    const execution = await executeWithRetry(registry, sessionId, body.code, timeoutMs);
    metrics.record(execution.status, performance.now() - startedAt);
    if (execution.status === 'dead') {
      // The v1 API has no "open session" call: the next call under this id gets a fresh kernel.
      await registry.close(sessionId).catch(() => {});
    }
    return toV1Response(execution);
  });

  app.post('/clear_session', async (request) => {
    const body = clearBodySchema.parse(request.body ?? {});
    // Gone at once (the reference only set a 1 s expiry, fact 10); unknown ids are fine.
    await registry.close(body.session_id ?? V1_DEFAULT_SESSION_ID);
    return { status: 'success' };
  });
}

/** A session the sandbox expired (TTL) is recreated, as the reference does after its TTL. */
async function executeWithRetry(
  registry: SessionRegistry,
  sessionId: string,
  code: string,
  timeoutMs: number,
): Promise<Execution> {
  for (let attempt = 0; ; attempt += 1) {
    const session: SandboxSession = await registry.getOrCreate(sessionId);
    try {
      const execution = await session.execute(code, { timeoutMs });
      registry.touch(sessionId);
      return execution;
    } catch (error) {
      if (!isSessionClosedError(error) || attempt > 0) throw error;
      registry.forget(sessionId);
    }
  }
}
