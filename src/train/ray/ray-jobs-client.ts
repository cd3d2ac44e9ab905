import WebSocket from 'ws';
import { z } from 'zod';
import { DeepeyesError, UserError } from '../../errors.js';
import {
  type JobDetails,
  type JobSubmitRequest,
  jobDeleteResponseSchema,
  jobDetailsSchema,
  jobLogsResponseSchema,
  jobStopResponseSchema,
  jobSubmitRequestSchema,
  jobSubmitResponseSchema,
} from './ray-job-shapes.js';

/** The dashboard could not be reached or answered something we cannot use. */
export class RayDashboardError extends DeepeyesError {}

export type RayJobsClientOptions = {
  /** Dashboard address, e.g. `http://HEAD:8265`. */
  address: string;
  /** Per-request limit in ms. Default 10 000. */
  timeoutMs?: number;
};

/**
 * A client for the Ray Jobs REST API (the dashboard, port 8265): submit, status, logs, a WebSocket
 * log tail, stop, delete, list. Ray answers errors as plain text; they become `UserError`s (unknown
 * job, duplicate submission id) or `RayDashboardError`s (unreachable, 5xx).
 */
export class RayJobsClient {
  readonly address: string;
  readonly timeoutMs: number;

  constructor(options: RayJobsClientOptions) {
    let url: URL;
    try {
      url = new URL(options.address);
    } catch (error) {
      throw new UserError('ray-address-invalid', `--ray ${options.address} is not a URL`, {
        cause: error,
        hint: 'give the dashboard address, e.g. --ray http://HEAD:8265',
      });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new UserError('ray-address-invalid', `--ray ${options.address} is not an http(s) URL`, {
        hint: 'the Jobs API is the dashboard, e.g. http://HEAD:8265 (not ray://…:10001)',
      });
    this.address = url.toString().replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async submit(request: JobSubmitRequest): Promise<{ jobId: string | null; submissionId: string }> {
    const body = jobSubmitRequestSchema.parse(request);
    const reply = await this.request('POST', '/api/jobs/', jobSubmitResponseSchema, {
      body,
      submissionId: body.submission_id ?? undefined,
    });
    return { jobId: reply.job_id, submissionId: reply.submission_id };
  }

  status(id: string): Promise<JobDetails> {
    return this.request('GET', `/api/jobs/${encodeURIComponent(id)}`, jobDetailsSchema, { jobId: id });
  }

  list(): Promise<JobDetails[]> {
    return this.request('GET', '/api/jobs/', z.array(jobDetailsSchema), {});
  }

  async logs(id: string): Promise<string> {
    return (
      await this.request('GET', `/api/jobs/${encodeURIComponent(id)}/logs`, jobLogsResponseSchema, {
        jobId: id,
      })
    ).logs;
  }

  async stop(id: string): Promise<boolean> {
    return (
      await this.request('POST', `/api/jobs/${encodeURIComponent(id)}/stop`, jobStopResponseSchema, {
        jobId: id,
      })
    ).stopped;
  }

  async delete(id: string): Promise<boolean> {
    return (
      await this.request('DELETE', `/api/jobs/${encodeURIComponent(id)}`, jobDeleteResponseSchema, {
        jobId: id,
      })
    ).deleted;
  }

  /**
   * Follows `/api/jobs/{id}/logs/tail` until Ray closes it (the job ended), calling `onText` per
   * frame, then returns the job's final details. A connection that drops, or a dashboard that stops
   * answering, throws a `RayDashboardError` (the job itself may still be running).
   */
  async followLogs(
    id: string,
    onText: (text: string) => void,
    options: { signal?: AbortSignal } = {},
  ): Promise<JobDetails> {
    const url = `${this.address.replace(/^http/, 'ws')}/api/jobs/${encodeURIComponent(id)}/logs/tail`;
    await new Promise<void>((resolveTail, rejectTail) => {
      const socket = new WebSocket(url, { handshakeTimeout: this.timeoutMs });
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        if (error) rejectTail(error);
        else resolveTail();
      };
      const onAbort = () => {
        socket.terminate();
        finish(new DeepeyesError('interrupted', 'stopped following the logs (the job keeps running)'));
      };
      options.signal?.addEventListener('abort', onAbort, { once: true });
      socket.on('message', (data) => onText(data.toString()));
      socket.on('unexpected-response', (_request, response) => {
        const status = response.statusCode ?? 0;
        let text = '';
        response.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        response.on('end', () => finish(this.errorFor(status, text, { jobId: id })));
        response.on('error', () => finish(this.errorFor(status, text, { jobId: id })));
      });
      socket.on('error', (error) => finish(this.unreachable(error, 'following the logs of job ' + id)));
      socket.on('close', (code) => {
        // 1000 (or 1005, no status) is Ray ending the tail; anything else is a dropped connection.
        if (code === 1000 || code === 1005) finish();
        else
          finish(
            new RayDashboardError(
              'ray-connection-lost',
              `the log tail of job ${id} broke off (WebSocket close ${code})`,
              {
                hint: `the job may still be running: deepeyes train status ${id} --ray ${this.address}`,
              },
            ),
          );
      });
    });
    try {
      return await this.status(id);
    } catch (error) {
      if (error instanceof RayDashboardError)
        throw new RayDashboardError(
          'ray-connection-lost',
          `the dashboard went away while following job ${id}`,
          {
            cause: error,
            hint: `the job may still be running: deepeyes train status ${id} --ray ${this.address}`,
          },
        );
      throw error;
    }
  }

  private async request<T>(
    method: string,
    path: string,
    schema: z.ZodType<T>,
    context: { body?: unknown; jobId?: string; submissionId?: string | undefined },
  ): Promise<T> {
    let response: Response;
    try {
      response = await fetch(`${this.address}${path}`, {
        method,
        signal: AbortSignal.timeout(this.timeoutMs),
        ...(context.body === undefined
          ? {}
          : { body: JSON.stringify(context.body), headers: { 'content-type': 'application/json' } }),
      });
    } catch (error) {
      throw this.unreachable(error, `${method} ${path}`);
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw this.errorFor(response.status, text, context);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RayDashboardError(
        'ray-bad-reply',
        `${method} ${path} on ${this.address} did not answer JSON`,
        {
          cause: error,
          hint: 'is --ray the Ray dashboard (port 8265)?',
        },
      );
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success)
      throw new RayDashboardError('ray-bad-reply', `${method} ${path} answered an unexpected shape`, {
        cause: parsed.error,
      });
    return parsed.data;
  }

  private unreachable(error: unknown, what: string): RayDashboardError {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return new RayDashboardError(
      'ray-unreachable',
      timedOut
        ? `the Ray dashboard at ${this.address} did not answer ${what} within ${this.timeoutMs} ms`
        : `cannot reach the Ray dashboard at ${this.address} (${what})`,
      { cause: error, hint: 'check --ray (the head node, port 8265) and that `ray start --head` runs there' },
    );
  }

  private errorFor(
    status: number,
    text: string,
    context: { jobId?: string; submissionId?: string | undefined },
  ) {
    const body = text.trim().split('\n').slice(-1)[0]?.slice(0, 300) ?? '';
    if (status === 404 && context.jobId)
      return new UserError(
        'ray-job-unknown',
        `the Ray cluster at ${this.address} has no job ${context.jobId}`,
        {
          hint: `list jobs with: deepeyes train list --ray ${this.address}`,
        },
      );
    // Ray's head relays the agent's 400 as a 500 whose text carries the ValueError; match either.
    if ((status === 400 || status === 500) && /already exists/i.test(text) && context.submissionId)
      return new UserError(
        'ray-duplicate-submission',
        `a job with submission id ${context.submissionId} already exists`,
        {
          hint: 'submission ids are unique per cluster: pass another --submission-id, or omit it for a fresh one',
        },
      );
    if (status >= 400 && status < 500)
      return new UserError('ray-rejected', `the Ray dashboard refused the request (${status}): ${body}`);
    return new RayDashboardError('ray-server-error', `the Ray dashboard answered ${status}: ${body}`);
  }
}
