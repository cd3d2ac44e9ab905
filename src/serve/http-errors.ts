import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { DeepeyesError, isUserFault } from '../errors.js';

/**
 * The JSON body of every error answer of every deepeyes server. `code` is stable and machine-readable;
 * `message` and `hint` are written for people and never carry an internal exception's text or stack.
 */
export type ErrorBody = { error: { code: string; message: string; hint?: string } };

export type ErrorAnswer = { status: number; body: ErrorBody };

/** An error with a chosen HTTP status, thrown by route handlers. */
export class HttpError extends DeepeyesError {
  constructor(
    readonly statusCode: number,
    code: string,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(code, message, options);
  }
}

/** Codes whose status is not the default for their class. */
const STATUS_BY_CODE: Record<string, number> = {
  'queue-full': 503,
  'sandbox-full': 503,
  'sandbox-memory-full': 503,
  'sandbox-closed': 503,
  'server-shutting-down': 503,
  'session-exists': 409,
  'session-closed': 404,
  'image-unreadable': 400,
};

/** Codes answered 503 that a client should retry after a pause. */
const RETRYABLE_CODES = new Set(['queue-full', 'sandbox-full', 'sandbox-memory-full']);

/** Failures of a service the server depends on (model, judge, web search): 502 Bad Gateway. */
const UPSTREAM_PREFIXES = ['model-', 'judge-', 'search-'];

const FASTIFY_CODE_BY_STATUS: Record<number, string> = {
  413: 'payload-too-large',
  415: 'unsupported-media-type',
};

/**
 * The one mapping from whatever went wrong to a status and body:
 * bad request (zod, user error, Fastify 4xx) → 4xx; capacity → 503; an upstream service → 502;
 * any other deepeyes failure → 500 with its own (written-for-people) message; anything else → 500 with a
 * generic message, since its text is an implementation detail (it is logged instead).
 */
export function toErrorAnswer(error: unknown, serverName = 'server'): ErrorAnswer {
  if (error instanceof HttpError) return answer(error.statusCode, error.code, error.message, error.hint);
  if (error instanceof ZodError)
    return answer(400, 'invalid-request', `Invalid request: ${zodDetail(error)}`);
  if (error instanceof DeepeyesError) {
    const status =
      STATUS_BY_CODE[error.code] ??
      (isUserFault(error) ? 400 : UPSTREAM_PREFIXES.some((p) => error.code.startsWith(p)) ? 502 : 500);
    return answer(status, error.code, error.message, error.hint);
  }
  const fastifyError = error as Partial<FastifyError>;
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  ) {
    // Fastify's own 4xx messages describe the request (bad JSON, body too large), never server internals.
    const code = FASTIFY_CODE_BY_STATUS[fastifyError.statusCode] ?? 'bad-request';
    return answer(fastifyError.statusCode, code, fastifyError.message ?? 'Bad request');
  }
  return answer(
    500,
    'internal',
    `Internal ${serverName} error`,
    'The server log has the details; please report it.',
  );
}

/** `field.path: message; …` for a zod failure, the part of it a client can act on. */
export function zodDetail(error: ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; ');
}

export type ErrorHandlingOptions = {
  /** Used in the generic 500 message and the log line, e.g. `reward server`. */
  serverName: string;
  /** Retry-After (seconds) sent with a retryable 503. Default 1. */
  retryAfterSeconds?: number;
};

/** Installs the shared error and not-found handlers on a Fastify app. */
export function installErrorHandling(app: FastifyInstance, options: ErrorHandlingOptions): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body } = toErrorAnswer(error, options.serverName);
    if (status >= 500) request.log.error({ err: error }, `${options.serverName} error`);
    if (RETRYABLE_CODES.has(body.error.code)) {
      void reply.header('retry-after', String(options.retryAfterSeconds ?? 1));
    }
    void reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: { code: 'not-found', message: `No route ${request.method} ${request.url.split('?')[0]}` },
    };
    void reply.status(404).send(body);
  });
}

function answer(status: number, code: string, message: string, hint?: string): ErrorAnswer {
  return { status, body: { error: hint === undefined ? { code, message } : { code, message, hint } } };
}
