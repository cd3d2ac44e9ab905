import type { AddressInfo } from 'node:net';
import { onTestFinished } from 'vitest';
import type { KernelSandbox } from '../../sandbox/kernel-sandbox.js';
import { buildSandboxServer } from '../sandbox-server.js';

/**
 * Serves `sandbox` on 127.0.0.1 (a free port) as `deepeyes sandbox serve --token` would, and sets
 * DEEPEYES_SANDBOX_TOKEN for the clients under test; both are undone when the test finishes.
 * Returns the server's address for `--sandbox-url`.
 */
export async function serveSandboxWithToken(sandbox: KernelSandbox, token: string): Promise<string> {
  const app = buildSandboxServer(sandbox, { token });
  onTestFinished(() => app.close());
  await app.listen({ host: '127.0.0.1', port: 0 });
  const previous = process.env.DEEPEYES_SANDBOX_TOKEN;
  process.env.DEEPEYES_SANDBOX_TOKEN = token;
  onTestFinished(() => {
    if (previous === undefined) delete process.env.DEEPEYES_SANDBOX_TOKEN;
    else process.env.DEEPEYES_SANDBOX_TOKEN = previous;
  });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}
