import { describe, expect } from 'vitest';
import { sandboxTest } from './sandbox-test.js';

const it = sandboxTest({ maxSessions: 2 });
const seen: string[] = [];

// Tests in a file run in order: the second sees what the first left behind.
describe('sandboxTest fixture', () => {
  it('should give each test a working session of a real sandbox', async ({ session, sandbox }) => {
    seen.push(session.id);
    expect(sandbox.listSessions().map((info) => info.id)).toContain(session.id);
    expect(await session.execute('print(6 * 7)')).toMatchObject({ status: 'ok', stdout: '42\n' });
  });

  it('should close the previous test’s session and share the sandbox across the file', async ({
    sandbox,
  }) => {
    expect(seen).toHaveLength(1);
    expect(sandbox.listSessions().map((info) => info.id)).not.toContain(seen[0]);
  });

  it('should give every test of the file the same shared session', async ({ sharedSession }) => {
    await sharedSession.execute('kept = 41');
    seen.push(sharedSession.id);
  });

  it('should keep the shared session’s state for the next test', async ({ sharedSession }) => {
    expect(sharedSession.id).toBe(seen[1]);
    expect(await sharedSession.execute('kept + 1')).toMatchObject({ status: 'ok', result: '42' });
  });
});
