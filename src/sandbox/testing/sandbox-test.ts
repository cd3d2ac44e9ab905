import { test } from 'vitest';
import { createLocalSandbox } from '../kernel-sandbox.js';
import type { OpenSessionOptions, Sandbox, SandboxSession } from '../sandbox.js';
import type { KernelSandboxOptions } from '../sandbox-options.js';

/** Opens a session that the fixture closes when the test ends, pass or fail. */
export type OpenSession = (options?: OpenSessionOptions) => Promise<SandboxSession>;

type OnCleanup = (cleanup: () => void | Promise<void>) => void;

/**
 * Fixture body for `openSession` over any `Sandbox`: every session the test opens through it is
 * closed at teardown (closing twice is allowed, so a test may also close one itself).
 */
export function sessionOpener(sandbox: Sandbox, onCleanup: OnCleanup): OpenSession {
  const opened: SandboxSession[] = [];
  onCleanup(async () => {
    await Promise.all(opened.map((session) => session.close()));
  });
  return async (options) => {
    const session = await sandbox.openSession(options);
    opened.push(session);
    return session;
  };
}

/**
 * A vitest `test` with a real local sandbox: `sandbox` is started once per test file (kernels are
 * slow to start) and always closed when the file ends, whatever the tests did; `session` is a fresh
 * session of it per test, always closed after the test; `openSession` opens more (with images or
 * ids), each closed after the test; `sharedSession` is one session for the whole file (for files
 * whose tests build on one kernel's state, or would only pay to open one each), closed with the
 * file. Each is opened only when a test asks for it.
 *
 * @example
 * const it = sandboxTest({ maxSessions: 4 });
 * it('should print', async ({ session }) => {
 *   expect((await session.execute('print(1)')).stdout).toBe('1\n');
 * });
 */
export function sandboxTest(options: KernelSandboxOptions = {}) {
  return test
    .extend(
      'sandbox',
      { scope: 'file' },
      async (
        // biome-ignore lint/correctness/noEmptyPattern: vitest reads a fixture's dependencies from this pattern.
        {},
        { onCleanup },
      ) => {
        const sandbox = await createLocalSandbox({ poolSize: 1, ...options });
        onCleanup(() => sandbox.close());
        return sandbox;
      },
    )
    .extend(
      'openSession',
      async ({ sandbox }, { onCleanup }): Promise<OpenSession> => sessionOpener(sandbox, onCleanup),
    )
    .extend('session', async ({ openSession }) => openSession())
    .extend('sharedSession', { scope: 'file' }, async ({ sandbox }, { onCleanup }) => {
      const session = await sandbox.openSession();
      onCleanup(() => session.close());
      return session;
    });
}
