import { z } from 'zod';
import { DeepeyesError, UserError } from '../errors.js';
import type { ExecuteOptions, Execution, OpenSessionOptions, Sandbox, SandboxSession } from './sandbox.js';

export type HttpSandboxOptions = {
  /** Where `deepeyes sandbox serve` listens, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** The server's `--token`, sent as `Authorization: Bearer …`. */
  token?: string;
  /** Extra time over a call's own timeout before the client gives up on the server. Default 30 000 ms. */
  marginMs?: number;
  /** Injected for tests; default the global `fetch`. */
  fetch?: typeof fetch;
};

/** A sandbox server answered with an error (its JSON `code` and `message`, the HTTP status kept). */
export class SandboxServerError extends DeepeyesError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    options: { hint?: string } = {},
  ) {
    super(code, message, options);
  }
}

const DEFAULT_EXECUTE_TIMEOUT_MS = 30_000;

const executionSchema = z.object({
  stdout: z.string(),
  stderr: z.string(),
  result: z.string().optional(),
  resultDisplay: z.string().optional(),
  images: z.array(z.string()),
  displays: z
    .array(
      z.object({
        source: z.enum(['show', 'auto', 'display', 'result']),
        text: z.string().optional(),
        image: z.number().int().optional(),
        stdoutOffset: z.number().int(),
      }),
    )
    .optional(),
  error: z.object({ name: z.string(), value: z.string(), traceback: z.string() }).optional(),
  status: z.enum(['ok', 'error', 'timeout', 'killed', 'dead']),
  executionCount: z.number(),
  durationMs: z.number(),
  truncated: z.boolean(),
});
const openedSchema = z.object({ sessionId: z.string() });
const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }),
});

/**
 * The `Sandbox` interface over a `deepeyes sandbox serve` (native API: `POST /sessions`,
 * `POST /sessions/:id/execute`, `DELETE /sessions/:id`), so the agent can run code on another
 * machine. Failing user code is data, as locally; server errors throw {@link SandboxServerError}.
 */
export class HttpSandbox implements Sandbox {
  private readonly baseUrl: string;
  private readonly fetch: typeof fetch;
  private readonly open = new Set<HttpSandboxSession>();

  constructor(private readonly options: HttpSandboxOptions) {
    let url: URL;
    try {
      url = new URL(options.baseUrl);
    } catch (cause) {
      throw new UserError('sandbox-url', `Not a URL: ${options.baseUrl}`, {
        cause,
        hint: 'Give the sandbox server address, e.g. http://127.0.0.1:8080.',
      });
    }
    this.baseUrl = url.href.replace(/\/+$/, '');
    this.fetch = options.fetch ?? fetch;
  }

  async openSession(options: OpenSessionOptions = {}): Promise<SandboxSession> {
    const body = {
      ...(options.sessionId === undefined ? {} : { sessionId: options.sessionId }),
      images: (options.images ?? []).map((image) => Buffer.from(image.bytes).toString('base64')),
    };
    const opened = openedSchema.parse(await this.request('POST', '/sessions', body, 60_000));
    const session = new HttpSandboxSession(opened.sessionId, this, () => this.open.delete(session));
    this.open.add(session);
    return session;
  }

  async close(): Promise<void> {
    await Promise.all([...this.open].map((session) => session.close()));
  }

  /** One JSON request; a non-2xx answer throws the server's error. Internal to the session class. */
  async request(method: string, path: string, body: unknown, timeoutMs: number): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.options.token ? { authorization: `Bearer ${this.options.token}` } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new DeepeyesError('sandbox-unreachable', `Cannot reach the sandbox server at ${url}`, {
        cause,
        hint: 'Check that `deepeyes sandbox serve` runs there and the address is right.',
      });
    }
    const text = await response.text();
    const json: unknown = text === '' ? undefined : JSON.parse(text);
    if (response.ok) return json;
    const error = errorSchema.safeParse(json);
    if (!error.success) {
      throw new SandboxServerError(
        response.status,
        'sandbox-http',
        `Sandbox server answered HTTP ${response.status}`,
      );
    }
    const { code, message, hint } = error.data.error;
    throw new SandboxServerError(response.status, code, message, hint === undefined ? {} : { hint });
  }

  get marginMs(): number {
    return this.options.marginMs ?? 30_000;
  }
}

class HttpSandboxSession implements SandboxSession {
  private closed = false;

  constructor(
    readonly id: string,
    private readonly sandbox: HttpSandbox,
    private readonly onClose: () => void,
  ) {}

  async execute(code: string, options: ExecuteOptions = {}): Promise<Execution> {
    if (this.closed) throw new DeepeyesError('session-closed', `Session ${this.id} is closed`);
    const timeoutMs = options.timeoutMs ?? DEFAULT_EXECUTE_TIMEOUT_MS;
    const path = `/sessions/${encodeURIComponent(this.id)}/execute`;
    const answer = executionSchema.parse(
      await this.sandbox.request('POST', path, { code, timeoutMs }, timeoutMs + this.sandbox.marginMs),
    );
    const { images, ...rest } = answer;
    return {
      ...rest,
      images: images.map((image) => new Uint8Array(Buffer.from(image, 'base64'))),
    } as Execution;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
    try {
      await this.sandbox.request('DELETE', `/sessions/${encodeURIComponent(this.id)}`, undefined, 30_000);
    } catch (error) {
      // Already gone on the server (evicted, expired, its kernel died): closed either way.
      if (!(error instanceof SandboxServerError && error.status === 404)) throw error;
    }
  }
}
