import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Execution, SessionImage } from '../sandbox/sandbox.js';
import { HttpError } from './http-errors.js';
import type { SandboxMetrics } from './sandbox-metrics.js';
import { isSessionClosedError, type SessionRegistry } from './sandbox-sessions.js';

const sessionIdSchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._:-]+$/, 'use letters, digits and . _ : -');
const createBodySchema = z.object({
  sessionId: sessionIdSchema.optional(),
  /** Base64 or data-URL encoded images, loaded as image_1, image_2, … */
  images: z.array(z.string().min(1)).max(64).default([]),
});
const executeBodySchema = z.object({
  code: z.string().refine((code) => code.trim() !== '', 'code is empty'),
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
});
const paramsSchema = z.object({ id: sessionIdSchema });

/** What the native API returns for one call: the Execution with images as base64 PNG. */
export type ExecutionJson = Omit<Execution, 'images'> & { sessionId: string; images: string[] };

/**
 * The native API: sessions with input images (JSON base64 or multipart), execute,
 * list and close. Errors are JSON with a code and message (see http-errors.ts).
 */
export function registerSandboxNativeRoutes(
  app: FastifyInstance,
  registry: SessionRegistry,
  metrics: SandboxMetrics,
): void {
  app.post('/sessions', async (request, reply) => {
    const { sessionId, images } = request.isMultipart()
      ? await readMultipart(request)
      : readJson(request.body);
    const session = await registry.open({ images, ...(sessionId ? { sessionId } : {}) });
    return reply.status(201).send({ sessionId: session.id });
  });

  app.get('/sessions', async () => ({ sessions: registry.list() }));

  app.post('/sessions/:id/execute', async (request): Promise<ExecutionJson> => {
    const { id } = paramsSchema.parse(request.params);
    const body = executeBodySchema.parse(request.body ?? {});
    const session = registry.get(id);
    if (!session) throw notFound(id, registry.wasEvicted(id));
    const startedAt = performance.now();
    let execution: Execution;
    try {
      execution = await session.execute(
        body.code,
        body.timeoutMs === undefined ? {} : { timeoutMs: body.timeoutMs },
      );
    } catch (error) {
      if (isSessionClosedError(error)) {
        registry.forget(id);
        throw notFound(id, registry.wasEvicted(id));
      }
      throw error;
    }
    metrics.record(execution.status, performance.now() - startedAt);
    registry.touch(id);
    return {
      ...execution,
      sessionId: id,
      images: execution.images.map((image) => Buffer.from(image).toString('base64')),
    };
  });

  app.delete('/sessions/:id', async (request, reply) => {
    const { id } = paramsSchema.parse(request.params);
    if (!(await registry.close(id))) throw notFound(id);
    return reply.status(204).send();
  });
}

function notFound(id: string, evicted = false): HttpError {
  if (evicted) {
    return new HttpError(404, 'session-evicted', `Session ${id} was idle and was evicted to make room`, {
      hint: 'Open a new session (its earlier state is gone); raise --max-sessions or --memory-budget-mb to evict less.',
    });
  }
  return new HttpError(404, 'session-not-found', `No open session ${id}`, {
    hint: 'Sessions close after their idle TTL, on DELETE, or when their kernel dies; open a new one.',
  });
}

function readJson(body: unknown): { sessionId: string | undefined; images: SessionImage[] } {
  const parsed = createBodySchema.parse(body ?? {});
  return { sessionId: parsed.sessionId, images: parsed.images.map((text) => ({ bytes: decodeImage(text) })) };
}

function decodeImage(text: string): Uint8Array {
  const base64 = text.startsWith('data:') ? text.slice(text.indexOf(',') + 1) : text;
  const bytes = Buffer.from(base64, 'base64');
  // Node's decoder skips characters outside the alphabet, so clean base64 decodes to exactly
  // its expected length; only text that fails that (line breaks, or not base64) pays for the
  // full-text check (~7 ms on a 3 MB image).
  if (bytes.length !== expectedDecodedLength(base64) && !/^[A-Za-z0-9+/=\s_-]+$/.test(base64)) {
    throw new HttpError(400, 'invalid-image', 'An image is neither base64 nor a base64 data URL');
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

function expectedDecodedLength(base64: string): number {
  let padding = 0;
  while (padding < 2 && base64.charCodeAt(base64.length - 1 - padding) === 61 /* '=' */) padding += 1;
  return Math.floor(((base64.length - padding) * 3) / 4);
}

/** Multipart: a `sessionId` field and image files in order (any field name). */
async function readMultipart(
  request: FastifyRequest,
): Promise<{ sessionId: string | undefined; images: SessionImage[] }> {
  let sessionId: string | undefined;
  const images: SessionImage[] = [];
  for await (const part of request.parts()) {
    if (part.type === 'file') images.push({ bytes: new Uint8Array(await part.toBuffer()) });
    else if (part.fieldname === 'sessionId') sessionId = sessionIdSchema.parse(String(part.value));
  }
  return { sessionId, images };
}
