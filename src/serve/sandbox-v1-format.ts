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

/** Blank, whitespace-only or missing code answers this, with HTTP 200 (reference fact 2). */
export const NO_CODE_RESPONSE: V1Response = {
  output: 'Error: No code provided',
  status: 'error',
  execution_time: 0,
};

export const V1_DEFAULT_SESSION_ID = 'JupyterSandboxDefault';
export const V1_DEFAULT_TIMEOUT_SECONDS = 5;
/** The reference's text for both timeouts and a dying kernel; we keep it for timeouts only. */
export const V1_TIMEOUT_TEXT = 'TimeOutError: code execution timed out';

const SYNTAX_ERRORS = new Set(['SyntaxError', 'IndentationError', 'TabError']);

/**
 * Maps one execution to the v1 envelope:
 * - a bare last expression's value also appears in stdout as `Out[n]: …` (the terminal displayhook);
 * - `result` is str() of the value or the string "None" (reference fact 3), while `Out[n]:` shows its repr;
 * - a syntax error answers `SyntaxError - <message> (<string>, line n)` with result null and no debug_info;
 * - a timeout answers the reference's TimeOutError text with result null and no debug_info, but keeps
 *   the output printed before the interrupt (the reference lost it);
 * - a dead kernel says so instead of pretending to be a timeout.
 */
export function toV1Response(execution: Execution): V1Response {
  const execution_time = execution.durationMs / 1000;
  const images = execution.images.map((image) => Buffer.from(image).toString('base64'));
  const error = execution.error;
  if (execution.status === 'error' && error && SYNTAX_ERRORS.has(error.name)) {
    const message = error.value.replace(/\(([^()]*), line (\d+)\)$/, '(<string>, line $2)');
    return {
      output: { result: null, stdout: '', stderr: `${error.name} - ${message}`, images: [] },
      status: 'success',
      execution_time,
    };
  }
  if (execution.status === 'timeout' || execution.status === 'killed' || execution.status === 'dead') {
    const own = execution.status === 'timeout' ? V1_TIMEOUT_TEXT : lastNotice(execution.stderr);
    const written = stripNotice(execution.stderr);
    const stderr =
      execution.status === 'killed' ? `${written}${V1_TIMEOUT_TEXT}\n${own}` : `${written}${own}`;
    return {
      output: { result: null, stdout: execution.stdout, stderr, images },
      status: 'success',
      execution_time,
    };
  }
  const stdout =
    execution.result === undefined ? execution.stdout : `${execution.stdout}${outPrompt(execution)}`;
  return {
    output: {
      result: execution.result ?? 'None',
      stdout,
      stderr: execution.stderr,
      images,
      debug_info: { msg: '' },
    },
    status: 'success',
    execution_time,
  };
}

/**
 * IPython's terminal displayhook: the display text (repr), not str(); a multi-line value
 * starts on its own line.
 */
function outPrompt(execution: Execution): string {
  const value = execution.resultDisplay ?? execution.result ?? '';
  return `Out[${execution.executionCount}]: ${value.includes('\n') ? '\n' : ''}${value}\n`;
}

/** The sandbox's own notice is the last line of stderr for timeouts, kills and deaths. */
function lastNotice(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  return lines[lines.length - 1] ?? '';
}

function stripNotice(stderr: string): string {
  const trimmed = stderr.trimEnd();
  const cut = trimmed.lastIndexOf('\n');
  return cut < 0 ? '' : trimmed.slice(0, cut + 1);
}
