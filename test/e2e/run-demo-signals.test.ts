/**
 * `deepeyes run` and `deepeyes demo` on the real executable under Ctrl-C (SIGINT to the process group)
 * and SIGTERM (to the PID): each stops at once as docs/cli.md says (killed by the signal, so a shell shows
 * 130 or 143), writes nothing half-done, and leaves no kernel behind (checked with `ps`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { descendants, expectAllExited, killStarted, startDeepeyes } from './helpers/deepeyes-process.js';

const IMAGE = 'test/fixtures/benchmarks/jsonl/images/ocr-1.png';
const STOPS = [
  { signal: 'SIGINT', target: 'group' },
  { signal: 'SIGTERM', target: 'pid' },
] as const;

let directory: string;
beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'deepeyes-run-demo-signals-'));
});
afterEach(killStarted);
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

describe('deepeyes run under signals', () => {
  const servers: FakeOpenAIServer[] = [];
  afterAll(() => Promise.all(servers.map((server) => server.close())));

  it('stops at once on Ctrl-C or SIGTERM while the model hangs, writes no trajectory and leaves no kernel', async () => {
    await Promise.all(
      STOPS.map(async ({ signal, target }) => {
        // A model server that takes requests and never answers; one per run, so each waits on its own.
        const server = await startFakeOpenAIServer({ hang: true });
        servers.push(server);
        const out = join(directory, `run-${signal}`);
        const run = startDeepeyes([
          'run',
          '--model',
          server.url,
          '--image',
          IMAGE,
          '--question',
          'What word?',
          '--out',
          out,
        ]);
        await server.waitForRequests(1, 90_000);
        const tree = descendants(run.pid);
        // The sandbox is up (zygote and a warm kernel) while the model call hangs: they must go too.
        expect(tree.filter((p) => p.comm.startsWith('python')).length, JSON.stringify(tree)).toBeGreaterThan(
          0,
        );
        run.signal(signal, target);
        expect(await run.exited).toEqual({ code: null, signal });
        await expectAllExited(tree);
        expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
      }),
    );
  }, 150_000);
});

describe('deepeyes demo under signals', () => {
  it('stops at once on Ctrl-C or SIGTERM, keeps the examples already finished and leaves no kernel', async () => {
    await Promise.all(
      STOPS.map(async ({ signal, target }) => {
        const out = join(directory, `demo-${signal}`);
        const demo = startDeepeyes(['demo', '--out', out]);
        await demo.waitForOutput(/trajectory: \S+/, { limitMs: 120_000 });
        const tree = descendants(demo.pid);
        expect(tree.filter((p) => p.comm.startsWith('python')).length, JSON.stringify(tree)).toBeGreaterThan(
          0,
        );
        demo.signal(signal, target);
        expect(await demo.exited).toEqual({ code: null, signal });
        await expectAllExited(tree);
        const finished = readdirSync(out);
        expect(finished).toContain('loading-bay');
        expect(
          existsSync(join(out, 'loading-bay', 'trajectory.json')) ||
            readdirSync(join(out, 'loading-bay')).length > 0,
        ).toBe(true);
        expect(finished.length).toBeLessThan(3);
        expect(demo.stdout()).not.toContain('━━ summary ━━');
      }),
    );
  }, 180_000);
});
