import { describe, expect } from 'vitest';
import { BATCH_REQUEST_METADATA, readBatchedReply } from './batched-reply.js';
import { executeRequestContent, type JupyterMessage } from './jupyter-message.js';
import type { KernelProcess } from './kernel-process.js';
import type { SandboxSession } from './sandbox.js';
import { sandboxTest } from './testing/sandbox-test.js';

// The kernel's shortcuts, each checked against the behaviour it must not change: the
// batching extension seen on the wire (a quick call answers with one reply and no IOPub
// traffic, a long one falls back to streaming), the shell lane, and the skipped IPython
// passes (IPython syntax and top-level await still work).
// One session for the file: the wire-level checks need no fresh kernel each.
const it = sandboxTest({ poolSize: 1, maxSessions: 2 });

function kernelOf(target: SandboxSession): KernelProcess {
  return (target as unknown as { kernel: KernelProcess }).kernel;
}

async function rawExecute(session: SandboxSession, code: string, metadata?: Record<string, unknown>) {
  const connection = kernelOf(session).connection;
  const iopub: JupyterMessage[] = [];
  const content = executeRequestContent(code);
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
  await iopubDrained(session);
  connection.release(msgId);
  return { reply: message, iopub: iopub.map((entry) => entry.header.msg_type) };
}

/**
 * Resolves when a follow-up request's idle status arrives. The kernel publishes everything on one
 * ordered IOPub stream and serves requests one at a time, so by then whatever the earlier request
 * published has reached its listener: no guessing how long to wait.
 */
async function iopubDrained(session: SandboxSession, limitMs = 10_000): Promise<void> {
  const connection = kernelOf(session).connection;
  let idle: () => void = () => {};
  const idleSeen = new Promise<void>((resolve) => {
    idle = resolve;
  });
  const { msgId, reply } = connection.request('shell', 'kernel_info_request', {}, (message) => {
    const state = (message.content as { execution_state?: unknown }).execution_state;
    if (message.header.msg_type === 'status' && state === 'idle') idle();
  });
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no IOPub idle within ${limitMs} ms`)), limitMs);
  });
  try {
    await Promise.race([Promise.all([reply, idleSeen]), limit]);
  } finally {
    clearTimeout(timer);
    connection.release(msgId);
  }
}

describe('batched execute replies', () => {
  it("returns a quick call's output inside the reply and publishes nothing", async ({
    sharedSession: session,
  }) => {
    // A call stalled past the 50 ms batch window (a loaded machine) rightly streams instead;
    // a few tries find one that fits, so the test checks the batch, not the machine's load.
    let call = await rawExecute(session, 'print("hi")\n6 * 7', BATCH_REQUEST_METADATA);
    for (let tries = 1; tries < 5 && readBatchedReply(call.reply.metadata).streamed; tries++) {
      call = await rawExecute(session, 'print("hi")\n6 * 7', BATCH_REQUEST_METADATA);
    }
    const { reply, iopub } = call;
    expect(iopub).toEqual([]);
    const batch = readBatchedReply(reply.metadata);
    expect(batch.streamed).toBe(false);
    expect(batch.outputs.map(([type]) => type)).toEqual(['stream', 'execute_result']);
    expect(batch.outputs[0]?.[1]).toMatchObject({ name: 'stdout', text: 'hi\n' });
    expect(reply.content).toMatchObject({ status: 'ok' });
  });

  it('streams a call that runs past the batch window, in order, ending with idle', async ({
    sharedSession: session,
  }) => {
    const { reply, iopub } = await rawExecute(
      session,
      'import time\nprint("a")\ntime.sleep(0.2)\nprint("b")',
      BATCH_REQUEST_METADATA,
    );
    const batch = readBatchedReply(reply.metadata);
    expect(batch).toEqual({ outputs: [], streamed: true });
    expect(iopub[0]).toBe('status');
    expect(iopub.at(-1)).toBe('status');
    expect(iopub.filter((type) => type === 'stream').length).toBeGreaterThanOrEqual(1);
  });

  it('speaks the standard protocol to a client that does not ask for batching', async ({
    sharedSession: session,
  }) => {
    const { reply, iopub } = await rawExecute(session, 'print(1)');
    expect(reply.metadata).toEqual({});
    expect(iopub).toEqual(['status', 'execute_input', 'stream', 'status']);
  });

  it('gives a session the same output whichever way the kernel sent it', async ({
    sharedSession: session,
  }) => {
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

describe('shell lane and skipped IPython passes', () => {
  it('serves shell requests over the lane by default', ({ sharedSession: session }) => {
    expect(kernelOf(session).connection.laneAttached).toBe(true);
  });

  it('still runs magics, shell escapes, help syntax and top-level await', async ({
    sharedSession: session,
  }) => {
    const magic = await session.execute('%load_ext autoreload\nvalue = 41\nvalue += 1\nvalue');
    expect(magic).toMatchObject({ status: 'ok', result: '42' });
    const shell = await session.execute('lines = !echo from-shell\nprint(lines[0])');
    expect(shell).toMatchObject({ status: 'ok', stdout: 'from-shell\n' });
    const help = await session.execute('len?');
    expect(help.status).toBe('ok');
    const awaited = await session.execute('import asyncio\nawait asyncio.sleep(0)\n"awaited"');
    expect(awaited).toMatchObject({ status: 'ok', result: 'awaited' });
    const plain = await session.execute('x = [1, 2, 3]\nx[..., ] if False else sum(x) / 2');
    expect(plain).toMatchObject({ status: 'ok', result: '3.0' });
  });
});

// A second sandbox for the file, started only by the test that asks for it and closed with the file.
const withoutLane = sandboxTest({ poolSize: 0, maxSessions: 1, kernelLane: false });

describe('without the lane', () => {
  withoutLane('runs the same calls over ZeroMQ alone', async ({ session }) => {
    expect(kernelOf(session).connection.laneAttached).toBe(false);
    const execution = await session.execute('print("zmq")\n2 + 2');
    expect(execution).toMatchObject({ status: 'ok', stdout: 'zmq\n', result: '4' });
  });
});
