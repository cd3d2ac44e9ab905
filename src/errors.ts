/**
 * Infrastructure failures (a dead server, a bad flag, a broken file) throw a `DeepeyesError`.
 * Model mistakes and failing user code are data, never exceptions.
 */
export class DeepeyesError extends Error {
  /** Stable machine-readable code, e.g. `model-unreachable`. */
  readonly code: string;
  /** What the user can do about it, printed under the message by the CLI. */
  readonly hint: string | undefined;

  constructor(code: string, message: string, options: { cause?: unknown; hint?: string } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** The user asked for something that cannot work (bad flag, missing file, wrong option). */
export class UserError extends DeepeyesError {}

/** A file or dataset row does not have the shape we need (the user's input, so a user error). */
export class InputFormatError extends UserError {}

/**
 * True when the user can fix it (exit code 2, HTTP 4xx). Decided by class, never by `error.name`:
 * subclasses such as `ModelNotFoundError` keep their own names.
 */
export function isUserFault(error: unknown): boolean {
  return error instanceof UserError;
}

/**
 * A SQLite failure on a file the user named (not a database, corrupt, unwritable) as a `UserError` saying
 * which file, what is wrong and what to do; any other error is returned unchanged. `what` names the file's
 * role, e.g. `text index` or `run store`; `hint` says how to get a good one.
 */
export function sqliteFileError(error: unknown, path: string, what: string, hint: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error;
  const problem =
    code === 'SQLITE_NOTADB'
      ? 'is not a SQLite database'
      : code.startsWith('SQLITE_CORRUPT')
        ? 'is a damaged SQLite database'
        : code.startsWith('SQLITE_CANTOPEN')
          ? 'cannot be opened (missing, a directory, or no permission)'
          : code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM')
            ? 'is not writable'
            : code === 'SQLITE_BUSY'
              ? 'is locked by another process'
              : `cannot be used (${code})`;
  return new UserError('sqlite-file', `${path} ${problem}, so it cannot be used as a ${what}`, {
    cause: error,
    hint,
  });
}
