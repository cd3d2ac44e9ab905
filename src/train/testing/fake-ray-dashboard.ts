import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import {
  type JobDetails,
  type JobStatus,
  jobSubmitRequestSchema,
  TERMINAL_STATUSES,
} from '../ray/ray-job-shapes.js';

/**
 * A fake Ray dashboard for tests (a real HTTP + WebSocket server on 127.0.0.1): the Jobs REST routes
 * with Ray's shapes and plain-text errors, and scripted jobs that go PENDING → RUNNING → SUCCEEDED or
 * FAILED (or STOPPED on `/stop`), printing one log line per tick. Labelled fake: nothing runs.
 */
export type FakeJobScript = {
  /** Lines the driver prints, one per tick while RUNNING. */
  lines: string[];
  outcome: 'SUCCEEDED' | 'FAILED';
  exitCode?: number;
};

export type FakeRayDashboardOptions = {
  /** How each submitted job behaves. Default: two lines, then SUCCEEDED. */
  script?: (entrypoint: string) => FakeJobScript;
  /** Milliseconds per tick (PENDING lasts one tick). Default 20. */
  tickMs?: number;
  /** `'manual'`: time moves only when the test calls `tick()`, so every state can be seen in turn. */
  clock?: 'timer' | 'manual';
};

type FakeJob = {
  details: JobDetails;
  logs: string;
  script: FakeJobScript;
  printed: number;
  tails: Set<WebSocket>;
};

export type FakeRayDashboard = {
  url: string;
  jobs: Map<string, FakeJob>;
  /** Request bodies received on `POST /api/jobs/`. */
  submissions: unknown[];
  /** Moves every job on by one tick now (the only way time moves with `clock: 'manual'`). */
  tick(): void;
  /** Closes abruptly: open log tails are cut (no close frame), as when the head node dies. */
  close(): Promise<void>;
};

export async function startFakeRayDashboard(
  options: FakeRayDashboardOptions = {},
): Promise<FakeRayDashboard> {
  const tickMs = options.tickMs ?? 20;
  const script =
    options.script ?? (() => ({ lines: ['step:1 - loss:1.0', 'step:2 - loss:0.5'], outcome: 'SUCCEEDED' }));
  const jobs = new Map<string, FakeJob>();
  const submissions: unknown[] = [];
  let counter = 0;

  const setStatus = (job: FakeJob, status: JobStatus, message: string) => {
    job.details.status = status;
    job.details.message = message;
    if (TERMINAL_STATUSES.has(status)) {
      job.details.end_time = Date.now();
      for (const tail of job.tails) tail.close(1000);
    }
  };
  const append = (job: FakeJob, text: string) => {
    job.logs += text;
    for (const tail of job.tails) tail.send(text);
  };
  const tick = () => {
    for (const job of jobs.values()) {
      if (job.details.status === 'PENDING') {
        setStatus(job, 'RUNNING', 'Job is currently running.');
        job.details.driver_node_id = 'fake-node';
      } else if (job.details.status === 'RUNNING') {
        const line = job.script.lines[job.printed];
        if (line !== undefined) {
          job.printed += 1;
          append(job, `${line}\n`);
          continue;
        }
        const exitCode = job.script.exitCode ?? (job.script.outcome === 'SUCCEEDED' ? 0 : 1);
        job.details.driver_exit_code = exitCode;
        if (job.script.outcome === 'SUCCEEDED') setStatus(job, 'SUCCEEDED', 'Job finished successfully.');
        else {
          job.details.error_type = 'JOB_ENTRYPOINT_COMMAND_ERROR';
          setStatus(job, 'FAILED', `Job entrypoint command failed with exit code ${exitCode}`);
        }
      }
    }
  };
  const timer = options.clock === 'manual' ? undefined : setInterval(tick, tickMs);

  const send = (response: ServerResponse, status: number, body: unknown) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    response.writeHead(status, {
      'content-type': typeof body === 'string' ? 'text/plain' : 'application/json',
    });
    response.end(text);
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method === 'POST' && path === '/api/jobs/') {
      let raw: unknown;
      try {
        raw = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return send(response, 400, 'Request body is not valid JSON');
      }
      submissions.push(raw);
      const parsed = jobSubmitRequestSchema.safeParse(raw);
      if (!parsed.success) return send(response, 400, `Failed to parse request: ${parsed.error.message}`);
      counter += 1;
      const id = parsed.data.submission_id ?? `raysubmit_fake${counter}`;
      if (jobs.has(id))
        return send(
          response,
          400,
          `ValueError: Job with submission_id ${id} already exists. Please use a different submission_id.`,
        );
      jobs.set(id, {
        details: {
          type: 'SUBMISSION',
          job_id: null,
          submission_id: id,
          status: 'PENDING',
          entrypoint: parsed.data.entrypoint,
          message: 'Job has not started yet.',
          error_type: null,
          start_time: Date.now(),
          end_time: null,
          metadata: parsed.data.metadata ?? {},
          runtime_env: parsed.data.runtime_env ?? {},
          driver_node_id: null,
          driver_exit_code: null,
        },
        logs: '',
        script: script(parsed.data.entrypoint),
        printed: 0,
        tails: new Set(),
      });
      return send(response, 200, { job_id: null, submission_id: id });
    }
    if (request.method === 'GET' && path === '/api/jobs/')
      return send(
        response,
        200,
        [...jobs.values()].map((job) => job.details),
      );
    const match = /^\/api\/jobs\/([^/]+)(\/logs|\/stop)?$/.exec(path);
    const id = match ? decodeURIComponent(match[1]!) : '';
    const job = jobs.get(id);
    if (!match) return send(response, 404, 'Not Found');
    if (!job) return send(response, 404, `Job ${id} does not exist`);
    if (request.method === 'GET' && !match[2]) return send(response, 200, job.details);
    if (request.method === 'GET' && match[2] === '/logs') return send(response, 200, { logs: job.logs });
    if (request.method === 'POST' && match[2] === '/stop') {
      if (TERMINAL_STATUSES.has(job.details.status)) return send(response, 200, { stopped: false });
      setStatus(job, 'STOPPED', 'Job was intentionally stopped.');
      return send(response, 200, { stopped: true });
    }
    if (request.method === 'DELETE' && !match[2]) {
      if (!TERMINAL_STATUSES.has(job.details.status))
        return send(response, 400, `Job ${id} is not in a terminal state; stop it first`);
      jobs.delete(id);
      return send(response, 200, { deleted: true });
    }
    return send(response, 405, 'Method Not Allowed');
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => send(response, 500, String(error)));
  });
  const sockets = new WebSocketServer({ noServer: true });
  server.on('upgrade', (request, socket, head) => {
    const match = /^\/api\/jobs\/([^/]+)\/logs\/tail$/.exec(new URL(request.url ?? '/', 'http://x').pathname);
    const job = match ? jobs.get(decodeURIComponent(match[1]!)) : undefined;
    if (!job) {
      socket.end(
        `HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\n\r\nJob ${match?.[1] ?? ''} does not exist`,
      );
      return;
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      if (job.logs) ws.send(job.logs);
      if (TERMINAL_STATUSES.has(job.details.status)) return ws.close(1000);
      job.tails.add(ws);
      ws.on('close', () => job.tails.delete(ws));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    jobs,
    submissions,
    tick,
    close: async () => {
      clearInterval(timer);
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
