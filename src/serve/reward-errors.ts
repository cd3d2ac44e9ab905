import { ZodError } from 'zod';
import { DeepeyesError, InputFormatError, UserError } from '../errors.js';
import { QueueFullError } from '../reward/limit-concurrency.js';

/** The JSON body of every error answer of the reward server. */
export type RewardErrorBody = { error: { code: string; message: string; hint?: string } };

/** The one place that maps a failure to an HTTP status and body for the reward server. */
export function toRewardErrorAnswer(error: unknown): { status: number; body: RewardErrorBody } {
  if (error instanceof ZodError) {
    const detail = error.issues
      .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
      .join('; ');
    return answer(400, 'invalid-request', `Invalid reward request: ${detail}`);
  }
  if (error instanceof QueueFullError) return answer(503, error.code, error.message, error.hint);
  if (error instanceof UserError || error instanceof InputFormatError) {
    return answer(400, error.code, error.message, error.hint);
  }
  if (error instanceof DeepeyesError) return answer(502, error.code, error.message, error.hint);
  const status = (error as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return answer(status, 'invalid-request', (error as Error).message);
  }
  return answer(500, 'internal', error instanceof Error ? error.message : String(error));
}

function answer(status: number, code: string, message: string, hint?: string) {
  return { status, body: { error: { code, message, ...(hint === undefined ? {} : { hint }) } } };
}
