/** Ctrl-C during `deepeyes eval` on the real executable: one SIGINT stops cleanly, writes the report, exits 130. */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';
import { descendants, expectAllExited, killStarted, startDeepeyes } from './helpers/deepeyes-process.js';

let server: FakeOpenAIServer | undefined;
let directory: string | undefined;
afterEach(killStarted);
afterAll(async () => {
  await server?.close();
  if (directory) await rm(directory, { recursive: true, force: true });
});

describe('deepeyes eval and signals', () => {
  it('stops on one SIGINT to its process group, writes the report and leaves nothing running', async () => {
    server = await startFakeOpenAIServer({ latencyMs: 300, reply: () => '<answer>HELLO</answer>' });
    directory = await mkdtemp(join(tmpdir(), 'deepeyes-eval-signal-'));
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
    // Ctrl-C: the terminal signals the whole group.
    run.signal('SIGINT', 'group');
    expect(await run.exited).toEqual({ code: 130, signal: null });
    expect(run.stderr(), run.stderr()).toContain('SIGINT: stopping');
    expect(run.stderr()).not.toContain('again: quitting now');
    expect(readdirSync(join(out, 'trajectories')).length).toBeGreaterThanOrEqual(2);
    // Finished items are in the report; the rest are pending for --resume.
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(
      /\| run \| custom \| .* \| direct \| 40 \| [1-9]\d* \| 0 \| [1-9]\d* \|/,
    );
    await expectAllExited(tree);
  }, 150_000);
});
