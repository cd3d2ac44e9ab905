import { referenceOutput } from '../sandbox/reference-output.js';
import type { Execution } from '../sandbox/sandbox.js';

/**
 * The v1 API's answer shapes, as DeepEyesV2's RL environment and evaluation client
 * read them from the reference server (MultiModal-Jupyter-Sandbox `fast_api_server.py`).
 * The quirks the released weights were trained on are kept here, and only here.
 */
export type V1Output = {
  result: string | null;
  stdout: string;
  stderr: string;
  /** Raw base64 PNG, no `data:` prefix. */
  images: string[];
  debug_info?: { msg: string };
};

export type V1Response =
  | { output: V1Output; status: 'success'; execution_time: number }
  | { output: 'Error: No code provided'; status: 'error'; execution_time: number };

/**
 * Every refusal on the v1 routes (400, 401, 413, 503, …): the HTTP status says what went
 * wrong, and the body keeps the v1 envelope so DeepEyesV2's clients, which read
 * `resjson['output']` as an object before looking at anything else, report the message
 * (in stderr) instead of crashing. `error` repeats it for machines.
 */
export type V1ErrorResponse = {
  output: V1Output;
  status: 'error';
  execution_time: number;
  error: { code: string; message: string; hint?: string };
};

export function toV1ErrorResponse(error: { code: string; message: string; hint?: string }): V1ErrorResponse {
  const stderr = error.hint === undefined ? `${error.message}\n` : `${error.message}\n${error.hint}\n`;
  return {
    output: { result: null, stdout: '', stderr, images: [] },
    status: 'error',
    execution_time: 0,
    error,
  };
}

/** Said in stderr by the first call on a session id whose earlier session was evicted. */
export function evictedNotice(sessionId: string): string {
  return `[deepeyes sandbox: session ${sessionId} was idle and was evicted to make room for other sessions; this call ran in a fresh session, so variables from earlier calls are gone]\n`;
}

/** Blank, whitespace-only or missing code answers this, with HTTP 200 (reference fact 2). */
export const NO_CODE_RESPONSE: V1Response = {
  output: 'Error: No code provided',
  status: 'error',
  execution_time: 0,
};

export const V1_DEFAULT_SESSION_ID = 'JupyterSandboxDefault';
export const V1_DEFAULT_TIMEOUT_SECONDS = 5;
/**
 * Maps one execution to the v1 envelope: the reference sandbox's output
 * (src/sandbox/reference-output.ts) with images as raw base64 PNG.
 */
export function toV1Response(execution: Execution): V1Response {
  const execution_time = execution.durationMs / 1000;
  const output = referenceOutput(execution);
  const v1: V1Output = {
    result: output.result,
    stdout: output.stdout,
    stderr: output.stderr,
    images: output.images.map((image) => Buffer.from(image).toString('base64')),
  };
  if (output.ranToEnd) v1.debug_info = { msg: '' };
  return { output: v1, status: 'success', execution_time };
}
