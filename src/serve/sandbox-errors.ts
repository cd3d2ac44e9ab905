import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { DeepeyesError, InputFormatError, UserError } from '../errors.js';

/** The JSON body of every error answer. */
export type ErrorBody = { error: { code: string; message: string; hint?: string } };

/** An error with a chosen HTTP status, thrown by the route handlers. */
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

const STATUS_BY_CODE: Record<string, number> = {
  'sandbox-full': 503,
  'sandbox-memory-full': 503,
  'sandbox-closed': 503,
  'session-exists': 409,
  'session-closed': 404,
  'image-unreadable': 400,
};

/** One mapping from whatever went wrong to a status and a JSON body with a message. */
export function toErrorAnswer(error: unknown): { status: number; body: ErrorBody } {
  if (error instanceof HttpError) return answer(error.statusCode, error.code, error.message, error.hint);
  if (error instanceof ZodError) {
    const detail = error.issues
      .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
      .join('; ');
    return answer(400, 'invalid-request', `Invalid request: ${detail}`);
  }
  if (error instanceof DeepeyesError) {
    const status =
      STATUS_BY_CODE[error.code] ??
      (error instanceof UserError || error instanceof InputFormatError ? 400 : 500);
    return answer(status, error.code, error.message, error.hint);
  }
  const fastifyError = error as Partial<FastifyError>;
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode < 500) {
    const code = fastifyError.statusCode === 413 ? 'payload-too-large' : 'bad-request';
    return answer(fastifyError.statusCode, code, fastifyError.message ?? 'Bad request');
  }
  return answer(500, 'internal', 'Internal sandbox server error');
}

export function errorHandler(error: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = toErrorAnswer(error);
  if (status >= 500) request.log.error({ err: error }, 'sandbox server error');
  if (body.error.code === 'sandbox-full' || body.error.code === 'sandbox-memory-full') {
    void reply.header('retry-after', '1');
  }
  void reply.status(status).send(body);
}

function answer(
  status: number,
  code: string,
  message: string,
  hint?: string,
): { status: number; body: ErrorBody } {
  return { status, body: { error: hint === undefined ? { code, message } : { code, message, hint } } };
}
