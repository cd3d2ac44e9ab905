import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeepeyesError, InputFormatError, UserError } from '../errors.js';
import { ModelNotFoundError } from '../model/model-errors.js';
import { HttpError, toErrorAnswer } from './http-errors.js';

describe('toErrorAnswer', () => {
  it('maps each kind of failure to its status with the stable body shape', () => {
    const cases: Array<[unknown, number, string]> = [
      [new HttpError(401, 'unauthorized', 'no token'), 401, 'unauthorized'],
      [z.object({ a: z.string() }).safeParse({}).error, 400, 'invalid-request'],
      [new UserError('bad-flag', 'bad flag'), 400, 'bad-flag'],
      [new InputFormatError('bad-row', 'bad row'), 400, 'bad-row'],
      [new DeepeyesError('queue-full', 'full'), 503, 'queue-full'],
      [new DeepeyesError('sandbox-full', 'full'), 503, 'sandbox-full'],
      [new DeepeyesError('session-exists', 'exists'), 409, 'session-exists'],
      [new DeepeyesError('model-unreachable', 'judge down'), 502, 'model-unreachable'],
      [new DeepeyesError('judge-unreachable', 'judge down'), 502, 'judge-unreachable'],
      [new DeepeyesError('kernel-closed', 'kernel closed'), 500, 'kernel-closed'],
      [Object.assign(new Error('Body too large'), { statusCode: 413 }), 413, 'payload-too-large'],
      [new TypeError('x is undefined at internal.ts:3'), 500, 'internal'],
    ];
    for (const [error, status, code] of cases) {
      const answer = toErrorAnswer(error, 'test server');
      expect({ status: answer.status, code: answer.body.error.code }).toEqual({ status, code });
      expect(Object.keys(answer.body)).toEqual(['error']);
      expect(typeof answer.body.error.message).toBe('string');
    }
  });

  it('treats user-error subclasses as user errors, whatever their name', () => {
    const error = new ModelNotFoundError({ url: 'http://x/v1', model: 'm', availableModels: ['a'] });
    expect(error.name).toBe('ModelNotFoundError');
    expect(toErrorAnswer(error).status).toBe(400);
  });

  it('never sends the text of an unexpected exception', () => {
    const answer = toErrorAnswer(new Error('password=hunter2'), 'reward server');
    expect(JSON.stringify(answer.body)).not.toContain('hunter2');
    expect(answer.body.error.message).toBe('Internal reward server error');
  });
});
