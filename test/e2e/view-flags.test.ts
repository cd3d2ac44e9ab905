/**
 * `deepeyes view`'s flags on the real executable: --host and --port are where it answers, --cache-dir is
 * where it keeps a run's search index (and the viewer writes nothing of its own beside the run).
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEvalRun } from '../../src/view/testing/generate-runs.js';
import { killStarted, startServer } from './helpers/deepeyes-process.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Every file below a folder, recursively. */
function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

afterAll(killStarted);

describe('deepeyes view flags', () => {
  it('answers on --host/--port and keeps its index under --cache-dir', async () => {
    const root = mkdtempSync(join(tmpdir(), 'deepeyes-view-flags-'));
    const runs = join(root, 'runs');
    await generateEvalRun({
      directory: join(runs, 'small'),
      items: 6,
      model: 'scripted',
      seed: 1,
      accuracyTenths: 5,
    });
    const before = filesBelow(runs).sort();
    const cache = join(root, 'view-cache');
    const port = await freePort();
    const viewer = await startServer(
      ['view', '--host', '127.0.0.1', '--port', String(port), '--cache-dir', cache, runs],
      new RegExp(`http://127\\.0\\.0\\.1:${port}`),
    );
    try {
      const base = `http://127.0.0.1:${port}`;
      const listed = (await (await fetch(`${base}/api/runs`)).json()) as { runs: { id: string }[] };
      expect(listed.runs).toHaveLength(1);
      const id = encodeURIComponent(listed.runs[0]?.id ?? '');
      const samples = await fetch(`${base}/api/runs/${id}/samples?search=question`);
      expect(samples.status).toBe(200);
      expect(existsSync(cache)).toBe(true);
      expect(filesBelow(cache).some((file) => file.endsWith('.sqlite'))).toBe(true);
      // Nothing of the viewer's beside the run (SQLite's own -wal/-shm, which any reader of a WAL store
      // opens, aside).
      expect(
        filesBelow(runs)
          .filter((file) => !/-(wal|shm)$/.test(file))
          .sort(),
      ).toEqual(before);
    } finally {
      viewer.signal('SIGTERM');
    }
  }, 60_000);
});
