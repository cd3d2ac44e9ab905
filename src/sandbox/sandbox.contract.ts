import { expect } from 'vitest';
import type { Execution } from './sandbox.js';
import type { OpenSession } from './testing/sandbox-test.js';

/**
 * A vitest `test` whose `openSession` fixture opens sessions of the sandbox under test and closes
 * them (only its call signature is needed, so any `test.extend` chain with that fixture fits).
 */
export type SandboxContractTest = (
  name: string,
  body: (context: { openSession: OpenSession }) => Promise<void>,
) => void;

/** 1×1 red PNG. */
const RED_PIXEL = Uint8Array.from(
  Buffer.from(
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC',
    'base64',
  ),
);
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];

function expectPlainExecution(execution: Execution): void {
  expect(typeof execution.stdout).toBe('string');
  expect(typeof execution.stderr).toBe('string');
  expect(Number.isFinite(execution.durationMs)).toBe(true);
  expect(typeof execution.truncated).toBe('boolean');
  for (const image of execution.images) expect(image).toBeInstanceOf(Uint8Array);
}

/**
 * What every `Sandbox` must do. `it` carries an `openSession` fixture over the sandbox under test
 * (`sandboxTest()` gives one over a local sandbox; `sessionOpener` builds one over any sandbox): the
 * fixture owns every session a test opens and closes it when the test ends, even on failure.
 */
export function sandboxContract(label: string, it: SandboxContractTest): void {
  it(`${label}: should keep state between calls of one session`, async ({ openSession }) => {
    const session = await openSession();
    expect((await session.execute('x = 41')).status).toBe('ok');
    const execution = await session.execute('print(x + 1)');
    expectPlainExecution(execution);
    expect(execution).toMatchObject({ status: 'ok', stdout: '42\n' });
  });

  it(`${label}: should keep sessions apart`, async ({ openSession }) => {
    const first = await openSession();
    const second = await openSession();
    await first.execute('secret = 1');
    const execution = await second.execute('print(secret)');
    expect(execution.status).toBe('error');
    expect(execution.error?.name).toBe('NameError');
  });

  it(`${label}: should return failing user code as data with its traceback`, async ({ openSession }) => {
    const session = await openSession();
    const execution = await session.execute('print("before")\n1 / 0');
    expectPlainExecution(execution);
    expect(execution.status).toBe('error');
    expect(execution.stdout).toBe('before\n');
    expect(execution.error).toMatchObject({ name: 'ZeroDivisionError', value: 'division by zero' });
    expect(execution.error?.traceback).toContain('ZeroDivisionError');
  });

  it(`${label}: should load input images as image_1 and return shown figures as PNG`, async ({
    openSession,
  }) => {
    const session = await openSession({ images: [{ bytes: RED_PIXEL }] });
    const read = await session.execute('print(image_1.size, image_1.getpixel((0, 0))[:3])');
    expect(read).toMatchObject({ status: 'ok', stdout: '(1, 1) (255, 0, 0)\n' });
    const drawn = await session.execute(
      'import matplotlib.pyplot as plt\nplt.imshow(image_1)\nplt.axis("off")\nplt.show()',
    );
    expect(drawn.status).toBe('ok');
    expect(drawn.images).toHaveLength(1);
    expect([...drawn.images[0]!.slice(0, 4)]).toEqual(PNG_MAGIC);
  });

  it(`${label}: should stop code at its timeout and keep the session usable`, async ({ openSession }) => {
    const session = await openSession();
    await session.execute('kept = "yes"');
    const slow = await session.execute('import time\ntime.sleep(30)', { timeoutMs: 500 });
    expect(['timeout', 'killed']).toContain(slow.status);
    const after = await session.execute('print("alive")');
    expect(after).toMatchObject({ status: 'ok', stdout: 'alive\n' });
  });

  it(`${label}: should let a session be closed twice and refuse calls after it`, async ({ openSession }) => {
    const session = await openSession();
    await session.close();
    await session.close();
    await expect(session.execute('1')).rejects.toThrow();
  });
}
