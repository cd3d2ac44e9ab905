import { DeepeyesError, UserError } from '../errors.js';

/** Nothing listens at the model server's address (connection refused, DNS failure, reset). */
export class ModelUnreachableError extends DeepeyesError {
  readonly url: string;
  constructor(options: { url: string; attempts: number; cause?: unknown }) {
    super(
      'model-unreachable',
      `No model server at ${options.url}: is vLLM running? start it with \`vllm serve <model> --port <port>\` ` +
        `(gave up after ${attemptsText(options.attempts)})`,
      {
        cause: options.cause,
        hint: 'Check --model (an OpenAI-compatible base URL such as http://localhost:8000/v1) and that the server finished loading.',
      },
    );
    this.url = options.url;
  }
}

/** The server accepted the connection but did not answer within the per-request timeout. */
export class ModelTimeoutError extends DeepeyesError {
  readonly url: string;
  readonly timeoutMs: number;
  constructor(options: {
    url: string;
    timeoutMs: number;
    attempts: number;
    cause?: unknown;
    /** What was asked, e.g. `GET /v1/models`; default a chat completion. */
    request?: string;
    /** Which setting sets the limit, e.g. `--model-timeout`. */
    hint?: string;
  }) {
    super(
      'model-timeout',
      `Model server at ${options.url} did not answer ${options.request ?? 'a chat completion'} within ` +
        `${formatDuration(options.timeoutMs)} per attempt (${attemptsText(options.attempts)})`,
      {
        cause: options.cause,
        hint:
          options.hint ??
          'The server may be overloaded or stuck: lower the concurrency, or raise the model timeout (--model-timeout).',
      },
    );
    this.url = options.url;
    this.timeoutMs = options.timeoutMs;
  }
}

/** The caller's own deadline (a trajectory's --time-limit, a judge call's timeout) ran out mid-call. */
export class ModelCallDeadlineError extends DeepeyesError {
  readonly url: string;
  constructor(options: { url: string; elapsedMs: number; cause?: unknown }) {
    super(
      'model-deadline',
      `Model server at ${options.url} had not answered after ${formatDuration(options.elapsedMs)} when the ` +
        "caller's time limit ran out",
      {
        cause: options.cause,
        hint: 'Raise the limit (--time-limit for a trajectory, --judge-timeout-ms for the judge) or check the server.',
      },
    );
    this.url = options.url;
  }
}

/** `12.5 s` or `800 ms`: limits read better in the unit the flags use. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Number((ms / 1000).toFixed(1))} s` : `${Math.round(ms)} ms`;
}

/** The server answered with an HTTP error we cannot recover from (5xx/429 after retries, 401, …). */
export class ModelEndpointError extends DeepeyesError {
  readonly url: string;
  readonly status: number;
  readonly serverMessage: string;
  constructor(options: {
    url: string;
    status: number;
    serverMessage: string;
    attempts: number;
    hint?: string;
  }) {
    super(
      'model-endpoint',
      `Model server at ${options.url} answered ${options.status} (${attemptsText(options.attempts)}): ${options.serverMessage}`,
      { hint: options.hint ?? hintForStatus(options.status) },
    );
    this.url = options.url;
    this.status = options.status;
    this.serverMessage = options.serverMessage;
  }
}

/** The server does not serve the requested model name; names what it does serve. */
export class ModelNotFoundError extends UserError {
  readonly url: string;
  readonly model: string;
  readonly availableModels: string[];
  constructor(options: { url: string; model: string; availableModels: string[] }) {
    const available = options.availableModels.length
      ? `it serves ${options.availableModels.map((name) => JSON.stringify(name)).join(', ')}`
      : 'it lists no models';
    super(
      'model-not-found',
      `Model server at ${options.url} has no model ${JSON.stringify(options.model)}: ${available}`,
      {
        hint: options.availableModels.length
          ? `Pass --model-name ${options.availableModels[0]}`
          : 'Check --model and --model-name.',
      },
    );
    this.url = options.url;
    this.model = options.model;
    this.availableModels = options.availableModels;
  }
}

/** The server refused the request itself (HTTP 400/422): too long a prompt, a bad parameter, … */
export class ModelRequestRejectedError extends DeepeyesError {
  readonly url: string;
  readonly status: number;
  readonly serverMessage: string;
  constructor(options: { url: string; status: number; serverMessage: string }) {
    super(
      'model-request-rejected',
      `Model server at ${options.url} rejected the request: ${options.serverMessage}`,
      {
        hint: /context|length|token/i.test(options.serverMessage)
          ? 'The prompt plus max_tokens exceeds the context window: lower --max-tokens or --max-pixels, or serve with a larger --max-model-len.'
          : 'Check the sampling options and the extra request fields sent to this server.',
      },
    );
    this.url = options.url;
    this.status = options.status;
    this.serverMessage = options.serverMessage;
  }
}

/** The server answered 2xx with something that is not an OpenAI chat-completions (or models) reply. */
export class ModelReplyFormatError extends DeepeyesError {
  readonly url: string;
  constructor(options: { url: string; problem: string; bodyStart: string; cause?: unknown }) {
    super(
      'model-reply-format',
      `Model server at ${options.url} answered with ${options.problem}: ${JSON.stringify(options.bodyStart)}`,
      {
        cause: options.cause,
        hint: 'Is --model an OpenAI-compatible API? The base URL usually ends in /v1.',
      },
    );
    this.url = options.url;
  }
}

/** `--model-name` was omitted and the server lists no model or several. */
export class ModelChoiceError extends UserError {
  readonly availableModels: string[];
  constructor(options: { url: string; availableModels: string[] }) {
    const several = options.availableModels.length > 1;
    super(
      several ? 'model-ambiguous' : 'model-none',
      several
        ? `Model server at ${options.url} serves several models (${options.availableModels.join(', ')}): say which one`
        : `Model server at ${options.url} lists no models`,
      { hint: several ? `Pass --model-name ${options.availableModels[0]}` : 'Pass --model-name explicitly.' },
    );
    this.availableModels = options.availableModels;
  }
}

function attemptsText(attempts: number): string {
  return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
}

function hintForStatus(status: number): string {
  if (status === 401 || status === 403)
    return 'Set --api-key or OPENAI_API_KEY to a key this server accepts.';
  if (status === 429) return 'The server is rate limiting: lower the concurrency or add endpoints.';
  if (status >= 500) return 'The model server failed: check its log (out of memory, crashed worker).';
  return 'Check --model and --model-name.';
}
