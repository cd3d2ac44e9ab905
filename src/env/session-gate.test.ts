/**
 * Step errors under load. A step's code cell reaches the sandbox through the session gate; the
 * gate's open is where the machinery can fail without any of the model's code having run (a kernel
 * start timing out while dozens start at once on a loaded host, say). Such a failure is the
 * sandbox's, not the model's: the gate retries it, and an episode never sees it unless every
 * attempt failed. Reproduced with a real kernel sandbox whose kernel start timeout is 1 ms.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeepeyesError, InputFormatError } from '../errors.js';
import { createLocalSandbox, type KernelSandbox } from '../sandbox/kernel-sandbox.js';
import type { Sandbox } from '../sandbox/sandbox.js';
import { Episode } from './episode.js';
import { createEpisodeSchema, stepSchema } from './episode-spec.js';
import { gateSandbox, isTransientOpenError } from './session-gate.js';

/** Kernels that never start in time (1 ms), and a healthy sandbox: both real. */
let broken: KernelSandbox;
let healthy: KernelSandbox;
let picture: string;

beforeAll(async () => {
  [broken, healthy] = await Promise.all([
    createLocalSandbox({ poolSize: 0, kernelStartTimeoutMs: 1 }),
    createLocalSandbox({ poolSize: 1 }),
  ]);
  picture = (
    await sharp({ create: { width: 56, height: 56, channels: 3, background: '#246' } })
      .png()
      .toBuffer()
  ).toString('base64');
});
afterAll(async () => Promise.all([broken?.close(), healthy?.close()]));

/** The first `failures` opens go to the sandbox whose kernels time out, the rest to the healthy one. */
function flaky(failures: number): Sandbox & { opens: () => number } {
  let opens = 0;
  return {
    openSession: (options) => {
      opens += 1;
      return opens <= failures ? broken.openSession(options) : healthy.openSession(options);
    },
    close: async () => undefined,
    opens: () => opens,
  };
}

const codeTurn = (code: string) =>
  stepSchema.parse({ text: `<code>\n\`\`\`python\n${code}\n\`\`\`\n</code>` });

async function episodeOn(sandbox: Sandbox) {
  const request = createEpisodeSchema.parse({ images: [picture], question: 'q', options: { mode: 'code' } });
  return (await Episode.create(request, { sandbox, searchTools: {}, scorers: {} })).episode;
}

describe('session gate: failed opens', () => {
  it('reproduces the sandbox-side failure: a kernel start that times out', async () => {
    const error = await broken.openSession().catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(DeepeyesError);
    expect((error as DeepeyesError).code).toBe('kernel-start-timeout');
    expect(isTransientOpenError(error)).toBe(true);
    expect(isTransientOpenError(new InputFormatError('image-unreadable', 'x'))).toBe(false);
    expect(isTransientOpenError(new DeepeyesError('sandbox-closed', 'x'))).toBe(false);
  });

  it('retries a transient open failure: the step runs, with no error, and the retry shows in the stats', async () => {
    const inner = flaky(2);
    const gate = gateSandbox(inner, 1, 10_000, undefined, { attempts: 3, delayMs: 1 });
    const episode = await episodeOn(gate);
    const result = await episode.step(codeTurn('print(image_1.size)'));
    expect(result.error).toBeNull();
    expect(result.observation?.text).toContain('(56, 56)');
    expect(inner.opens()).toBe(3);
    expect(gate.stats()).toMatchObject({ open: 1, openRetries: 2, openFailures: 0 });
    expect(gate.stats().lastOpenError).toContain('did not become ready');
    await episode.close();
    expect(gate.stats().open).toBe(0);
  });

  it('when every attempt fails, that step shows the error and the next code step opens again', async () => {
    // Before the fix the first failure was kept: every later code cell of the episode failed too.
    const inner = flaky(2);
    const gate = gateSandbox(inner, 1, 10_000, undefined, { attempts: 2, delayMs: 1 });
    const episode = await episodeOn(gate);
    const failed = await episode.step(codeTurn('x = 1'));
    expect(failed.done).toBe(false);
    expect(failed.error).toContain('did not become ready');
    expect(gate.stats()).toMatchObject({ open: 0, openRetries: 1, openFailures: 1 });
    const next = await episode.step(codeTurn('print(image_1.size)'));
    expect(next.error).toBeNull();
    expect(next.observation?.text).toContain('(56, 56)');
    await episode.close();
  });

  it('does not retry the request’s own faults', async () => {
    let opens = 0;
    const refusing: Sandbox = {
      openSession: async () => {
        opens += 1;
        throw new InputFormatError('image-unreadable', 'image_1 is not an image');
      },
      close: async () => undefined,
    };
    const gate = gateSandbox(refusing, 1, 10_000, undefined, { attempts: 3, delayMs: 1 });
    await expect(gate.openSession()).rejects.toThrow('image_1 is not an image');
    expect(opens).toBe(1);
    expect(gate.stats()).toMatchObject({ open: 0, openRetries: 0, openFailures: 1 });
  });
});
