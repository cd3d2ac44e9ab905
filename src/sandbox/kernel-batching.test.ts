import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BATCH_REQUEST_METADATA, readBatchedReply } from './batched-reply.js';
import type { JupyterMessage } from './jupyter-message.js';
import type { KernelProcess } from './kernel-process.js';
import { createLocalSandbox, type KernelSandbox } from './kernel-sandbox.js';
import type { SandboxSession } from './sandbox.js';

// The kernel's batching extension, seen on the wire with a real kernel: a quick call
// answers with one reply and no IOPub traffic; a long one falls back to streaming.
let sandbox: KernelSandbox;
let session: SandboxSession;

beforeAll(async () => {
  sandbox = await createLocalSandbox({ poolSize: 1, maxSessions: 2 });
  session = await sandbox.openSession({});
});

afterAll(async () => {
  await sandbox?.close();
});

function kernelOf(target: SandboxSession): KernelProcess {
  return (target as unknown as { kernel: KernelProcess }).kernel;
}

async function rawExecute(code: string, metadata?: Record<string, unknown>) {
  const connection = kernelOf(session).connection;
  const iopub: JupyterMessage[] = [];
  const content = { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false };
  const { msgId, reply } = connection.request(
    'shell',
    'execute_request',
    content,
    (message) => {
      iopub.push(message);
    },
    metadata,
  );
  const message = await reply;
  // Anything still to come on IOPub arrives within a few ms of the reply.
  await new Promise((resolve) => setTimeout(resolve, 150));
  connection.release(msgId);
  return { reply: message, iopub: iopub.map((entry) => entry.header.msg_type) };
}

describe('batched execute replies', () => {
  it("returns a quick call's output inside the reply and publishes nothing", async () => {
    const { reply, iopub } = await rawExecute('print("hi")\n6 * 7', BATCH_REQUEST_METADATA);
    expect(iopub).toEqual([]);
    const batch = readBatchedReply(reply.metadata);
    expect(batch.streamed).toBe(false);
    expect(batch.outputs.map(([type]) => type)).toEqual(['stream', 'execute_result']);
    expect(batch.outputs[0]?.[1]).toMatchObject({ name: 'stdout', text: 'hi\n' });
    expect(reply.content).toMatchObject({ status: 'ok' });
  });

  it('streams a call that runs past the batch window, in order, ending with idle', async () => {
    const { reply, iopub } = await rawExecute(
      'import time\nprint("a")\ntime.sleep(0.2)\nprint("b")',
      BATCH_REQUEST_METADATA,
    );
    const batch = readBatchedReply(reply.metadata);
    expect(batch).toEqual({ outputs: [], streamed: true });
    expect(iopub[0]).toBe('status');
    expect(iopub.at(-1)).toBe('status');
    expect(iopub.filter((type) => type === 'stream').length).toBeGreaterThanOrEqual(1);
  });

  it('speaks the standard protocol to a client that does not ask for batching', async () => {
    const { reply, iopub } = await rawExecute('print(1)');
    expect(reply.metadata).toEqual({});
    expect(iopub).toEqual(['status', 'execute_input', 'stream', 'status']);
  });

  it('gives a session the same output whichever way the kernel sent it', async () => {
    const quick = await session.execute('print("x")\n1 + 1');
    expect(quick).toMatchObject({ status: 'ok', stdout: 'x\n', result: '2' });
    const slow = await session.execute('import time\nprint("a")\ntime.sleep(0.12)\nprint("b")\n"done"');
    expect(slow).toMatchObject({ status: 'ok', stdout: 'a\nb\n', result: 'done' });
    const failing = await session.execute('import time\ntime.sleep(0.12)\nprint("before")\n1 / 0');
    expect(failing.status).toBe('error');
    expect(failing.stdout).toBe('before\n');
    expect(failing.stderr).toContain('ZeroDivisionError');
  });
});
