// Lives in serve/ because it starts a real `sandbox serve` (above the sandbox layer); the suite is src/sandbox/sandbox.contract.ts.
import type { AddressInfo } from 'node:net';
import { describe } from 'vitest';
import { HttpSandbox } from '../sandbox/http-sandbox.js';
import { sandboxContract } from '../sandbox/sandbox.contract.js';
import { sandboxTest, sessionOpener } from '../sandbox/testing/sandbox-test.js';
import { buildSandboxServer } from './sandbox-server.js';

// One local kernel sandbox serves both: directly, and behind a real `sandbox serve` on 127.0.0.1. The
// fixtures own the sandbox, the server, the client and every session a test opens: all are closed
// whatever the tests do.
const it = sandboxTest({ poolSize: 1, maxSessions: 6, interruptGraceMs: 1000 }).extend(
  'remote',
  { scope: 'file' },
  async ({ sandbox }, { onCleanup }) => {
    const server = buildSandboxServer(sandbox, { token: 'contract' });
    let remote: HttpSandbox | undefined;
    onCleanup(async () => {
      await remote?.close();
      await server.close();
    });
    await server.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.server.address() as AddressInfo;
    remote = new HttpSandbox({ baseUrl: `http://127.0.0.1:${port}`, token: 'contract' });
    return remote;
  },
);

describe('Sandbox contract', () => {
  describe('local kernel sandbox', () => {
    sandboxContract('local', it);
  });

  describe('HTTP sandbox client against sandbox serve', () => {
    it.override('openSession', async ({ remote }, { onCleanup }) => sessionOpener(remote, onCleanup));
    sandboxContract('http', it);
  });
});
