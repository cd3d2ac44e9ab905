import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { z } from 'zod';
import { CurationRunReader } from './curation-run-reader.js';
import { EvalRunReader } from './eval-run-reader.js';
import { MetricsReader } from './metrics-reader.js';
import { type OpenRun, RunRegistry } from './run-registry.js';
import { resolveInside } from './safe-path.js';
import { pageSchema, sampleFilterSchema } from './sample-filter.js';
import { TrajectoryFolderReader } from './trajectory-folder-reader.js';

/** Files the viewer serves from run directories: images only, never the stores or trajectories as files. */
export const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

const STATIC_TYPES: Record<string, string> = {
  ...IMAGE_TYPES,
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export type ViewServerOptions = {
  directories: readonly string[];
  cacheDirectory: string;
  /** The built front end (`web/dist`); without it the API still works and `/` says how to build it. */
  webDirectory: string;
  /** Minimum time between two index refreshes of one run (a run being written is re-read this often). */
  refreshIntervalMs?: number;
  /** `/api/events`: how often run directories are checked for changes while someone listens (1 s). */
  eventIntervalMs?: number;
  /** `/api/events`: streams open at once (16); one more is answered 503 and the app polls instead. */
  maxEventClients?: number;
  /** `/api/events`: a stream is ended after this long (10 min); the browser reconnects by itself. */
  eventLifetimeMs?: number;
};

/**
 * What a run directory holds now, cheaply: name, size and modification time of its top-level files (the
 * stores and their write-ahead logs, trajectory JSONL files). SQLite's `-shm` files are left out: readers
 * touch them too.
 */
export function runSignature(directory: string): string {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => entry.isFile() && !entry.name.endsWith('-shm'))
      .map((entry) => {
        try {
          const info = statSync(join(directory, entry.name));
          return `${entry.name}:${info.size}:${info.mtimeMs}`;
        } catch {
          return `${entry.name}:gone`;
        }
      })
      .sort()
      .join('|');
  } catch (error) {
    return `unreadable:${(error as Error).message}`;
  }
}

/** Run ids whose signature differs between two snapshots (new, changed or gone). */
export function changedRuns(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
): string[] {
  const ids = new Set([...before.keys(), ...after.keys()]);
  return [...ids].filter((id) => before.get(id) !== after.get(id)).sort();
}

/** Summary or error of every run, for the Runs table. */
export function listRuns(registry: RunRegistry) {
  return registry.list().map((entry) => {
    try {
      const run = registry.get(entry.id);
      return {
        id: entry.id,
        kind: entry.kind,
        label: entry.label,
        summary: run ? run.reader.summary() : null,
        error: null,
      };
    } catch (error) {
      return {
        id: entry.id,
        kind: entry.kind,
        label: entry.label,
        summary: null,
        error: (error as Error).message,
      };
    }
  });
}

/** The `deepeyes view` HTTP server: JSON APIs over the run stores, images as files, and the built app. */
export function createViewServer(options: ViewServerOptions): {
  app: FastifyInstance;
  registry: RunRegistry;
} {
  const registry = new RunRegistry(options.directories, options.cacheDirectory);
  const app = Fastify({ logger: false });
  const refreshed = new Map<string, { at: number; pending: Promise<void> }>();
  const refreshIntervalMs = options.refreshIntervalMs ?? 1000;

  const refresh = (run: OpenRun): Promise<void> => {
    if (!(run.reader instanceof EvalRunReader || run.reader instanceof TrajectoryFolderReader))
      return Promise.resolve();
    const last = refreshed.get(run.entry.id);
    if (last && Date.now() - last.at < refreshIntervalMs) return last.pending;
    const pending = run.reader.refreshIndex();
    refreshed.set(run.entry.id, { at: Date.now(), pending });
    return pending;
  };

  /** How much of a run's full-text search is ready (eval runs index their text in the background). */
  const searchProgress = (run: OpenRun) =>
    run.reader instanceof EvalRunReader
      ? run.reader.textProgress()
      : 'index' in run
        ? ((total: number) => ({ indexed: total, total }))(run.index.textProgress('row:').total)
        : null;

  const fail = (reply: FastifyReply, status: number, code: string, message: string) =>
    reply.code(status).send({ error: { code, message } });

  const openRun = (reply: FastifyReply, id: string): OpenRun | undefined => {
    try {
      const run = registry.get(id);
      if (!run) fail(reply, 404, 'no-such-run', `no run "${id}" under the viewed directories`);
      return run;
    } catch (error) {
      fail(reply, 422, 'run-unreadable', `run "${id}" cannot be read: ${(error as Error).message}`);
      return undefined;
    }
  };

  const filesUrl = (id: string) => `/api/files/${encodeURIComponent(id)}`;

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof z.ZodError) return fail(reply, 400, 'bad-request', z.prettifyError(error));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return fail(reply, status, status < 500 ? 'bad-request' : 'internal', (error as Error).message);
  });

  app.get('/api/runs', async () => ({ runs: listRuns(registry) }));

  // Server-sent events: `change` with the ids of runs whose files changed (new runs, runs being written),
  // checked once per interval while at least one stream is open. Bounded in streams and in a stream's life.
  const streams = new Set<ServerResponse>();
  const maxEventClients = options.maxEventClients ?? 16;
  const eventLifetimeMs = options.eventLifetimeMs ?? 600_000;
  let snapshot = new Map<string, string>();
  let ticker: NodeJS.Timeout | undefined;
  let ticks = 0;
  const takeSnapshot = () =>
    new Map(registry.list().map((entry) => [entry.id, runSignature(entry.directory)] as const));
  const broadcast = (text: string) => {
    for (const stream of streams) stream.write(text);
  };
  const tick = () => {
    let next: Map<string, string>;
    try {
      next = takeSnapshot();
    } catch {
      return; // a directory vanishing mid-listing: the next tick sees the settled state
    }
    const changed = changedRuns(snapshot, next);
    snapshot = next;
    if (changed.length > 0) broadcast(`event: change\ndata: ${JSON.stringify({ runs: changed })}\n\n`);
    else if (++ticks % 15 === 0) broadcast(': keep-alive\n\n');
  };
  const endStream = (stream: ServerResponse) => {
    if (!streams.delete(stream)) return;
    stream.end();
    if (streams.size === 0) {
      clearInterval(ticker);
      ticker = undefined;
    }
  };

  app.get('/api/events', async (request, reply) => {
    if (streams.size >= maxEventClients)
      return fail(reply, 503, 'too-many-event-clients', `at most ${maxEventClients} event streams at once`);
    reply.hijack();
    const stream = reply.raw;
    stream.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    if (streams.size === 0) snapshot = takeSnapshot();
    streams.add(stream);
    stream.write(`retry: 2000\nevent: hello\ndata: {}\n\n`);
    ticker ??= setInterval(tick, options.eventIntervalMs ?? 1000);
    const lifetime = setTimeout(() => endStream(stream), eventLifetimeMs);
    request.raw.on('close', () => {
      clearTimeout(lifetime);
      endStream(stream);
    });
    return reply;
  });
  app.addHook('preClose', async () => {
    for (const stream of [...streams]) endStream(stream);
  });

  app.get<{ Params: { run: string } }>('/api/runs/:run', async (request, reply) => {
    const run = openRun(reply, request.params.run);
    if (!run) return reply;
    const base = {
      id: run.entry.id,
      kind: run.entry.kind,
      label: run.entry.label,
      summary: run.reader.summary(),
    };
    if (run.reader instanceof EvalRunReader) {
      await refresh(run);
      return {
        ...base,
        config: run.reader.config(),
        analytics: run.reader.analytics(),
        facets: 'index' in run ? run.index.facets() : null,
        search: searchProgress(run),
      };
    }
    if (run.reader instanceof TrajectoryFolderReader) {
      await refresh(run);
      return { ...base, facets: 'index' in run ? run.index.facets() : null };
    }
    if (run.reader instanceof CurationRunReader) return { ...base, curation: run.reader.details() };
    if (run.reader instanceof MetricsReader) return { ...base, training: run.reader.curves() };
    return base;
  });

  app.get<{ Params: { run: string } }>('/api/runs/:run/samples', async (request, reply) => {
    const run = openRun(reply, request.params.run);
    if (!run) return reply;
    if (!('index' in run))
      return fail(reply, 400, 'no-samples', `run "${run.entry.id}" (${run.entry.kind}) has no samples`);
    const filter = sampleFilterSchema.parse(request.query);
    const page = pageSchema.parse(request.query);
    await refresh(run);
    return { ...run.index.query(filter, page), search: searchProgress(run) };
  });

  app.get<{ Params: { run: string } }>('/api/runs/:run/rows', async (request, reply) => {
    const run = openRun(reply, request.params.run);
    if (!run) return reply;
    if (!('index' in run))
      return fail(reply, 400, 'no-samples', `run "${run.entry.id}" (${run.entry.kind}) has no samples`);
    await refresh(run);
    return { rows: run.index.allRows() };
  });

  app.get<{ Params: { run: string; sample: string } }>(
    '/api/runs/:run/samples/:sample',
    async (request, reply) => {
      const run = openRun(reply, request.params.run);
      if (!run) return reply;
      if (!('index' in run)) return fail(reply, 400, 'no-samples', `run "${run.entry.id}" has no samples`);
      await refresh(run);
      const sample = await run.reader.sample(request.params.sample, filesUrl(run.entry.id));
      if (!sample)
        return fail(
          reply,
          404,
          'no-such-sample',
          `run "${run.entry.id}" has no sample "${request.params.sample}"`,
        );
      const filter = sampleFilterSchema.parse(request.query);
      return {
        ...sample,
        row: run.index.row(request.params.sample) ?? null,
        neighbours: run.index.neighbours(filter, request.params.sample),
      };
    },
  );

  app.get<{ Params: { run: string; id: string; attempt: string } }>(
    '/api/runs/:run/attempts/:id/:attempt',
    async (request, reply) => {
      const run = openRun(reply, request.params.run);
      if (!run) return reply;
      if (!(run.reader instanceof CurationRunReader))
        return fail(reply, 400, 'not-curation', `run "${run.entry.id}" is not a curation run`);
      const attempt = run.reader.attempt(
        request.params.id,
        Number(request.params.attempt),
        filesUrl(run.entry.id),
      );
      return attempt ?? fail(reply, 404, 'no-such-attempt', 'no such teacher attempt');
    },
  );

  app.get<{ Params: { run: string; '*': string } }>('/api/files/:run/*', async (request, reply) => {
    const run = openRun(reply, request.params.run);
    if (!run) return reply;
    const requested = request.params['*'];
    const type = IMAGE_TYPES[extname(requested).toLowerCase()];
    if (!type) return fail(reply, 403, 'not-an-image', 'only image files are served from runs');
    // Inside the run's own directory (itself inside a given root), symlinks resolved first.
    const path = await resolveInside(run.entry.directory, run.entry.directory, requested);
    if (!path) return fail(reply, 404, 'no-such-file', 'no such image in this run');
    return sendFile(reply, path, type, 'public, max-age=3600');
  });

  app.get('/*', async (request, reply) => {
    const requested = (request.params as { '*': string })['*'] || 'index.html';
    if (!existsSync(join(options.webDirectory, 'index.html')))
      return fail(reply, 503, 'web-not-built', 'the viewer front end is not built: run `npm run build:web`');
    const path = await resolveInside(options.webDirectory, options.webDirectory, requested);
    // Unknown paths fall back to the app, which reads its state from the query string.
    const target = path ?? join(options.webDirectory, 'index.html');
    const type = STATIC_TYPES[extname(target).toLowerCase()] ?? 'application/octet-stream';
    return sendFile(
      reply,
      target,
      type,
      target.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
  });

  app.addHook('onClose', async () => registry.close());
  return { app, registry };
}

async function sendFile(reply: FastifyReply, path: string, type: string, cacheControl: string) {
  const info = await stat(path);
  if (!info.isFile()) return reply.code(404).send({ error: { code: 'no-such-file', message: 'not a file' } });
  return reply
    .header('content-type', type)
    .header('content-length', info.size)
    .header('cache-control', cacheControl)
    .send(createReadStream(path));
}
