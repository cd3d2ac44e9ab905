import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finishPendingItems, generateEvalRun, writeBrokenRuns } from './testing/generate-runs.js';
import { changedRuns, createViewServer } from './view-server.js';

let root: string;
let outside: string;
let server: ReturnType<typeof createViewServer>;
const rlOptions = () => ({
  directory: join(root, 'runs', 'rl'),
  items: 60,
  model: 'scripted-rl',
  seed: 3,
  accuracyTenths: 7,
  pending: 5,
});

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'view-server-'));
  outside = mkdtempSync(join(tmpdir(), 'view-outside-'));
  writeFileSync(join(outside, 'secret.png'), 'secret');
  const runs = join(root, 'runs');
  await generateEvalRun({
    directory: join(runs, 'sft'),
    items: 60,
    model: 'scripted-sft',
    seed: 0,
    accuracyTenths: 5,
  });
  await generateEvalRun(rlOptions());
  writeBrokenRuns(runs);
  symlinkSync(join(outside, 'secret.png'), join(runs, 'sft', 'trajectories', 'q00000', 'images', 'link.png'));
  mkdirSync(join(root, 'web'));
  writeFileSync(join(root, 'web', 'index.html'), '<!doctype html><title>deepeyes view</title>');
  server = createViewServer({
    directories: [runs],
    cacheDirectory: join(root, 'cache'),
    webDirectory: join(root, 'web'),
    refreshIntervalMs: 0,
  });
});

afterAll(async () => {
  await server.app.close();
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const get = async (url: string) => {
  const response = await server.app.inject({ method: 'GET', url });
  return {
    status: response.statusCode,
    body: response.json() as Record<string, any>,
    headers: response.headers,
  };
};

/** Polls a run's samples until its full-text index is complete (it fills in the background). */
async function searchReady(run: string): Promise<{ indexed: number; total: number }> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { body } = await get(`/api/runs/${encodeURIComponent(run)}/samples?limit=1`);
    if (body.search.indexed === body.search.total || Date.now() > deadline) return body.search;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('deepeyes view server', () => {
  it('lists eval runs with their progress and broken runs with their error', async () => {
    const { body } = await get('/api/runs');
    const byLabel = Object.fromEntries(body.runs.map((run: any) => [run.label, run]));
    expect(Object.keys(byLabel).sort()).toEqual(['corrupt-run', 'half-written', 'rl', 'sft']);
    expect(byLabel.sft.summary).toMatchObject({
      kind: 'eval',
      items: 60,
      pending: 0,
      status: 'finished',
      benchmark: 'realx-bench',
    });
    expect(byLabel.rl.summary).toMatchObject({ items: 60, pending: 5, status: 'running' });
    expect(byLabel['corrupt-run'].error).toMatch(/not a database/);
    expect(byLabel['half-written'].error).toMatch(/not a deepeyes run store/);
  });

  it('filters and full-text searches samples in the sidecar index', async () => {
    const all = await get('/api/runs/runs%2Fsft/samples?limit=5');
    expect(all.body.total).toBe(60);
    expect(all.body.rows).toHaveLength(5);
    expect(all.body.search.total).toBe(60);
    expect(await searchReady('runs/sft')).toEqual({ indexed: 60, total: 60 });
    const code = await get('/api/runs/runs%2Fsft/samples?tools=code&limit=100');
    expect(code.body.rows.every((row: any) => row.tools === 'code')).toBe(true);
    expect(code.body.total).toBe(16); // multiples of 3 that are not multiples of 5, below 60
    const both = await get('/api/runs/runs%2Fsft/samples?tools=both');
    expect(both.body.rows.map((row: any) => row.id)).toEqual(['q00000', 'q00015', 'q00030', 'q00045']);
    const stdout = await get('/api/runs/runs%2Fsft/samples?q=marker42');
    expect(stdout.body.rows.map((row: any) => row.id)).toEqual(['q00042']);
    const searchResult = await get('/api/runs/runs%2Fsft/samples?q=catalogue%20object');
    expect(searchResult.body.total).toBe(12);
    const wrongCrops = await get(
      '/api/runs/runs%2Fsft/samples?verdict=wrong&toolCategory=crop&capability=reason',
    );
    for (const row of wrongCrops.body.rows) {
      expect(row.verdict).toBe('wrong');
      expect(row.toolCategories).toContain('crop');
      expect(row.capabilities).toContain('reason');
    }
    const hostile = await get('/api/runs/runs%2Fsft/samples?q=%22%20OR%20(');
    expect(hostile.status).toBe(200);
    const bad = await get('/api/runs/runs%2Fsft/samples?verdict=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('bad-request');
  });

  it('serves a trajectory with image URLs and neighbours under the current filter', async () => {
    const { body } = await get('/api/runs/runs%2Fsft/samples/q00003?tools=code');
    expect(body.problem).toBeNull();
    const crop = body.trajectory.turns[0].observationImages[0];
    expect(crop).toMatchObject({
      width: 32,
      height: 24,
      url: '/api/files/runs%2Fsft/trajectories/q00003/images/crop-1.png',
    });
    expect(body.neighbours).toEqual({ previous: null, next: 'q00006', index: 0 });
    const image = await server.app.inject({ method: 'GET', url: crop.url });
    expect(image.statusCode).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.rawPayload.subarray(1, 4).toString()).toBe('PNG');
  });

  it('never serves files outside the run, however the path is spelled', async () => {
    for (const url of [
      '/api/files/runs%2Fsft/..%2F..%2F..%2Fsecret.png',
      '/api/files/runs%2Fsft/%2e%2e/%2e%2e/rl/trajectories/q00000/images/input-1.png',
      '/api/files/runs%2Fsft/trajectories/q00000/images/link.png',
      `/api/files/runs%2Fsft/${encodeURIComponent(join(outside, 'secret.png'))}`,
      '/api/files/runs%2Fsft/trajectories%5Cq00000%5Cimages%5Cinput-1.png',
      '/api/files/runs%2Fsft/run.sqlite',
      '/api/files/..%2F..%2Fetc/passwd.png',
    ]) {
      const response = await server.app.inject({ method: 'GET', url });
      // Refused, or (when the client itself resolves `%2e%2e`) answered by the app page, never an image.
      expect(String(response.headers['content-type']), url).not.toMatch(/^image\//);
      expect(response.body).not.toContain('secret');
    }
    const web = await server.app.inject({ method: 'GET', url: '/..%2F..%2F..%2Fetc%2Fpasswd' });
    expect(web.body).toContain('deepeyes view');
  });

  it('follows a run that is still being written', async () => {
    const before = await get('/api/runs/runs%2Frl/samples?verdict=pending');
    expect(before.body.total).toBe(5);
    // Another process finishes the run while the viewer is open.
    await generateEvalRun({
      directory: join(root, 'runs', 'rl-copy'),
      items: 3,
      model: 'm',
      seed: 0,
      accuracyTenths: 5,
    });
    const listed = await get('/api/runs');
    expect(listed.body.runs.map((run: any) => run.label)).toContain('rl-copy');
  });

  it('streams change events for runs being written, with a cap on streams and on their lifetime', async () => {
    const events = createViewServer({
      directories: [join(root, 'runs')],
      cacheDirectory: join(root, 'cache-events'),
      webDirectory: join(root, 'web'),
      eventIntervalMs: 40,
      maxEventClients: 1,
      eventLifetimeMs: 600,
    });
    await events.app.listen({ host: '127.0.0.1', port: 0 });
    const address = events.app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/events`;
    try {
      const response = await fetch(url);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const reader = response.body!.getReader();
      let received = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(received)) {
          const { value, done } = await reader.read();
          if (done) return false;
          received += new TextDecoder().decode(value);
        }
        return true;
      };
      expect(await readUntil(/event: hello/)).toBe(true);
      const refused = await fetch(url);
      expect(refused.status).toBe(503);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'too-many-event-clients',
      );
      await finishPendingItems(rlOptions(), 2);
      expect(await readUntil(/event: change\ndata: .*"runs\/rl"/)).toBe(true);
      expect(received).not.toContain('"runs/sft"');
      // The stream ends after its lifetime (the browser's EventSource reconnects by itself).
      const started = Date.now();
      expect(await readUntil(/never/)).toBe(false);
      expect(Date.now() - started).toBeLessThan(3000);
      const again = await fetch(url);
      expect(again.status).toBe(200);
      await again.body?.cancel();
    } finally {
      await events.app.close();
    }
    const pending = await get('/api/runs/runs%2Frl/samples?verdict=pending');
    expect(pending.body.total).toBe(3);
  });

  it('tells which runs changed between two snapshots', () => {
    const before = new Map([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
    ]);
    const after = new Map([
      ['a', '1'],
      ['b', '2'],
      ['d', '1'],
    ]);
    expect(changedRuns(before, after)).toEqual(['b', 'c', 'd']);
  });
});
