import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DeepeyesError, InputFormatError, UserError } from '../errors.js';
import { ModelChoiceError, ModelNotFoundError, ModelUnreachableError } from '../model/model-errors.js';
import { memoryIO } from './io.js';
import { reportError } from './report-error.js';

function exitCode(error: unknown): { code: number; stderr: string } {
  const io = memoryIO();
  const code = reportError(error, io);
  return { code, stderr: io.stderr.join('') };
}

describe('reportError', () => {
  it('exits 2 for every user error, subclasses included', () => {
    expect(exitCode(new UserError('bad', 'bad flag')).code).toBe(2);
    expect(exitCode(new InputFormatError('bad-row', 'bad row')).code).toBe(2);
    const notFound = new ModelNotFoundError({ url: 'http://x/v1', model: 'm', availableModels: ['a'] });
    expect(notFound.name).toBe('ModelNotFoundError');
    expect(exitCode(notFound).code).toBe(2);
    expect(exitCode(new ModelChoiceError({ url: 'http://x/v1', availableModels: [] })).code).toBe(2);
    expect(exitCode(z.object({ n: z.number() }).safeParse({}).error).code).toBe(2);
  });

  it('exits 1 for infrastructure failures and names unexpected ones as bugs', () => {
    expect(exitCode(new DeepeyesError('kernel-closed', 'closed')).code).toBe(1);
    expect(exitCode(new ModelUnreachableError({ url: 'http://x/v1', attempts: 1 })).code).toBe(1);
    const crash = exitCode(new TypeError('boom'));
    expect(crash.code).toBe(1);
    expect(crash.stderr).toMatch(/unexpected failure \(please report it\)/);
  });
});
