import { ZodError } from 'zod';
import { DeepeyesError, isUserFault } from '../errors.js';
import type { CliIO } from './io.js';

/** The one place that turns an error into text and an exit code. */
export function reportError(error: unknown, io: CliIO): number {
  if (error instanceof ZodError) {
    io.err('error: invalid options\n');
    for (const issue of error.issues) {
      const where =
        issue.path.length > 0
          ? `--${issue.path.join('.').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`
          : 'input';
      io.err(`  ${where}: ${issue.message}\n`);
    }
    return 2;
  }
  if (error instanceof DeepeyesError) {
    io.err(`error [${error.code}]: ${error.message}\n`);
    if (error.cause instanceof Error) io.err(`  cause: ${error.cause.message}\n`);
    if (error.hint) io.err(`  hint: ${error.hint}\n`);
    return isUserFault(error) ? 2 : 1;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  io.err(`error: unexpected failure (please report it)\n${message}\n`);
  return 1;
}
