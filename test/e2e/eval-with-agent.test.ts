/** `deepeyes eval` with the real agent: replayed model, real sandbox, offline search, resumable store. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalCommand } from '../../src/cli/commands/eval.js';
import { createAgentRunItem } from '../../src/cli/eval-agent.js';
import { memoryIO } from '../../src/cli/io.js';

let outDir: string;
beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'deepeyes-eval-'));
});
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('deepeyes eval with the real agent', () => {
  it('runs RealX items through the sandbox and search, and writes trajectories and reports', async () => {
    const io = memoryIO();
    const flags = {
      bench: 'realx-bench',
      data: 'test/fixtures/benchmarks/realx/realx-sample.jsonl',
      replay: 'test/fixtures/benchmarks/realx/replay.jsonl',
      out: outDir,
      concurrency: 2,
      limit: 4,
      mode: 'agent',
      profile: 'deepeyesv2',
      codeRepair: 'auto',
      searchCacheMode: 'off',
    };
    await evalCommand(flags, io, { createRunItem: createAgentRunItem });
    const log = io.stderr.join('') + io.stdout.join('');
    expect(log).toContain('sandbox: local IPython kernels under bubblewrap');
    expect(log).toMatch(/RealX-Bench: \d+(\.\d)?% of 4 scored · 0 error\(s\)/);

    // realx-002 counts squares with code: the kernel really ran it.
    const trajectory = JSON.parse(
      await readFile(join(outDir, 'trajectories/realx-002/trajectory.json'), 'utf8'),
    );
    expect(trajectory.model).toBe('replay:replay.jsonl');
    expect(trajectory.turns[0].toolCall).toMatchObject({ tool: 'code', status: 'ok', stdout: '4\n' });
    // realx-003 searched the bundled offline index.
    const searched = JSON.parse(
      await readFile(join(outDir, 'trajectories/realx-003/trajectory.json'), 'utf8'),
    );
    expect(searched.turns[0].toolCall).toMatchObject({ tool: 'search', provider: 'local' });
    expect(searched.turns[0].observation).toMatch(
      /^<tool_response>\nA Google search for 'TOUR landmark sign city' found \d results:/,
    );
    await expect(readFile(join(outDir, 'report.html'), 'utf8')).resolves.toContain('realx-003');
  });
});
