/** Ctrl-C during `deepeyes eval` on the real CLI process: one SIGINT stops cleanly and writes the report. */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../src/model/testing/fake-openai-server.js';

let server: FakeOpenAIServer | undefined;
let directory: string | undefined;
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
    const child = spawn(
      'npx',
      [
        'tsx',
        'src/cli/entry.ts',
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
      ],
      { detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    // npx dies of the SIGINT itself; the CLI under it (which holds the pipes too) decides the outcome,
    // so "done" is when every process holding stderr has exited.
    const closed = new Promise<void>((resolve) => child.stderr.on('close', () => resolve()));
    // Wait (bounded) until a few items have finished, then press Ctrl-C: the terminal signals the group.
    const trajectories = join(out, 'trajectories');
    for (let waited = 0; waited < 90_000; waited += 200) {
      if (existsSync(trajectories) && readdirSync(trajectories).length >= 2) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(readdirSync(trajectories).length).toBeGreaterThanOrEqual(2);
    process.kill(-child.pid!, 'SIGINT');
    const outcome = await Promise.race([
      closed.then(() => 'closed'),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000)),
    ]);
    expect(outcome).toBe('closed');
    expect(stderr, stderr).toContain('SIGINT: stopping');
    expect(stderr).not.toContain('again: quitting now');
    // Finished items are in the report; the rest are pending for --resume.
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toMatch(
      /\| run \| custom \| .* \| direct \| 40 \| [1-9]\d* \| 0 \| [1-9]\d* \|/,
    );
    // Nothing of the process group is left (bounded wait for the last exits to be reaped).
    let alive = true;
    for (let waited = 0; alive && waited < 10_000; waited += 100) {
      try {
        process.kill(-child.pid!, 0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  }, 150_000);
});
