/**
 * Ctrl-C and SIGTERM during `deepeyes eval` on the real executable: one signal stops cleanly, writes the
 * report and exits 130 (SIGINT to the process group, as a terminal sends it) or 143 (SIGTERM to the PID).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { descendants, expectAllExited, killStarted, startDeepeyes } from './helpers/deepeyes-process.js';

const servers: FakeOpenAIServer[] = [];
const directories: string[] = [];
afterEach(killStarted);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await Promise.all(directories.map((directory) => rm(directory, { recursive: true, force: true })));
});

describe('deepeyes eval and signals', () => {
  it.each([
    { signal: 'SIGINT', target: 'group', code: 130 },
    { signal: 'SIGTERM', target: 'pid', code: 143 },
  ] as const)(
    'stops on one $signal ($target), writes the report, exits $code and leaves nothing running',
    async ({ signal, target, code }) => {
      const server = await startFakeOpenAIServer({ latencyMs: 300, reply: () => '<answer>HELLO</answer>' });
      servers.push(server);
      const directory = await mkdtemp(join(tmpdir(), 'deepeyes-eval-signal-'));
      directories.push(directory);
      const png = readFileSync('test/fixtures/benchmarks/jsonl/images/ocr-1.png').toString('base64');
      const rows = Array.from({ length: 40 }, (_, row) => `${row}\t${png}\tWhat word?\tHELLO`);
      const data = join(directory, 'set.tsv');
      await writeFile(data, ['index\timage\tquestion\tanswer', ...rows].join('\n'));
      const out = join(directory, 'run');
      const run = startDeepeyes([
        'eval',
        '--bench',
        'custom',
        '--data',
        data,
        '--model',
        server.url,
        '--mode',
        'direct',
        '--out',
        out,
        '--concurrency',
        '1',
      ]);
      // With one item at a time, the third request means at least two items have finished.
      await server.waitForRequests(3, 90_000);
      const tree = descendants(run.pid);
      run.signal(signal, target);
      expect(await run.exited).toEqual({ code, signal: null });
      expect(run.stderr(), run.stderr()).toContain(`${signal}: stopping`);
      expect(run.stderr()).not.toContain('again: quitting now');
      expect(readdirSync(join(out, 'trajectories')).length).toBeGreaterThanOrEqual(2);
      // Finished items are in the report; the rest are pending for --resume.
      expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(
        /\| run \| custom \| .* \| direct \| 40 \| [1-9]\d* \| 0 \| [1-9]\d* \|/,
      );
      await expectAllExited(tree);
    },
    150_000,
  );
});
