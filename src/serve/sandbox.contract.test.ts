// Lives in serve/ because it starts a real `sandbox serve` (above the sandbox layer); the suite is src/sandbox/sandbox.contract.ts.
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe } from 'vitest';
import { HttpSandbox } from '../sandbox/http-sandbox.js';
import { createLocalSandbox, type KernelSandbox } from '../sandbox/kernel-sandbox.js';
import { sandboxContract } from '../sandbox/sandbox.contract.js';
import { buildSandboxServer } from './sandbox-server.js';

// One local kernel sandbox serves both: directly, and behind a real `sandbox serve` on 127.0.0.1.
let local: KernelSandbox;
let server: ReturnType<typeof buildSandboxServer>;
let remote: HttpSandbox;

beforeAll(async () => {
  local = await createLocalSandbox({ poolSize: 1, maxSessions: 6, interruptGraceMs: 1000 });
  server = buildSandboxServer(local, { token: 'contract' });
  await server.listen({ host: '127.0.0.1', port: 0 });
  const { port } = server.server.address() as AddressInfo;
  remote = new HttpSandbox({ baseUrl: `http://127.0.0.1:${port}`, token: 'contract' });
});

afterAll(async () => {
  await remote?.close();
  await server?.close();
  await local?.close();
});

describe('Sandbox contract', () => {
  describe('local kernel sandbox', () => {
    sandboxContract('local', () => local);
  });

  describe('HTTP sandbox client against sandbox serve', () => {
    sandboxContract('http', () => remote);
  });
});
