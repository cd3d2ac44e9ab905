import type { FastifyInstance } from 'fastify';
import { describe, expect } from 'vitest';
import type { KernelSandbox } from '../sandbox/kernel-sandbox.js';
import { sandboxTest } from '../sandbox/testing/sandbox-test.js';
import { buildSandboxServer } from './sandbox-server.js';
import { evictedNotice } from './sandbox-v1-format.js';

// Real HTTP on 127.0.0.1, real kernels: the load patterns of DeepEyesV2's clients, at a smaller
// scale than bench/sandbox/concurrency.ts (which runs 256 on one id and 512 over 128 ids).
const MAX_SESSIONS = 8;
let sandbox: KernelSandbox;
let app: FastifyInstance;
let base: string;

// The fixture owns the sandbox and server (closed with the file); helpers reach them through the handles.
const it = sandboxTest({ poolSize: 2, maxSessions: MAX_SESSIONS }).extend(
  'server',
  { scope: 'file', auto: true },
  async ({ sandbox: started }, { onCleanup }) => {
    sandbox = started;
    app = buildSandboxServer(started);
    onCleanup(() => app.close());
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    return app;
  },
);

type V1Answer = { status: string; output: { stdout: string; stderr: string; result: string | null } };

async function v1(sessionId: string, code: string): Promise<{ status: number; json: V1Answer }> {
  const response = await fetch(`${base}/jupyter_sandbox`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ session_id: sessionId, code, timeout: 30 }),
  });
  return { status: response.status, json: (await response.json()) as V1Answer };
}

describe('concurrent calls (real kernels, real HTTP)', () => {
  it('queues 64 concurrent calls on one session id and completes every one, in arrival order', async () => {
    await v1('rl-worker', 'seen = []');
    const answers = await Promise.all(
      Array.from({ length: 64 }, (_, index) => v1('rl-worker', `seen.append(${index})\nprint(${index})`)),
    );
    answers.forEach((answer, index) => {
      expect(answer.status).toBe(200);
      expect(answer.json.status).toBe('success');
      expect(answer.json.output.stdout).toBe(`${index}\n`);
      expect(answer.json.output.stderr).toBe('');
    });
    const state = await v1('rl-worker', 'print(len(seen), sorted(seen) == list(range(64)))');
    expect(state.json.output.stdout).toBe('64 True\n');
    const { queueWaitMs } = (await (await fetch(`${base}/metrics`)).json()) as {
      queueWaitMs: { max: number; count: number };
    };
    // 63 calls waited behind another one of the same session.
    expect(queueWaitMs.max).toBeGreaterThan(0);
    expect(queueWaitMs.count).toBeGreaterThanOrEqual(66);
  });

  it(`completes 128 calls over 32 session ids with ${MAX_SESSIONS} sessions at most: no call lost`, async () => {
    const evictionsBefore = sandbox.getStats().sessionsEvicted;
    const ids = Array.from({ length: 32 }, (_, index) => `item-${index}`);
    const answers = await Promise.all(
      ids.flatMap((id) =>
        Array.from({ length: 4 }, async (_, call) => ({
          id,
          call,
          answer: await v1(id, `print("${id}", ${call})`),
        })),
      ),
    );
    expect(answers).toHaveLength(128);
    for (const { id, call, answer } of answers) {
      expect(answer.status).toBe(200);
      expect(answer.json.status).toBe('success');
      expect(answer.json.output.stdout).toBe(`${id} ${call}\n`);
      // A call whose session was evicted between its calls runs in a fresh one and says so.
      expect(['', evictedNotice(id)]).toContain(answer.json.output.stderr);
    }
    const stats = sandbox.getStats();
    expect(stats.sessions).toBeLessThanOrEqual(MAX_SESSIONS);
    expect(stats.sessionsEvicted - evictionsBefore).toBeGreaterThanOrEqual(32 - MAX_SESSIONS);
    expect(stats.sessionsRejected).toBe(0);
  });
});
