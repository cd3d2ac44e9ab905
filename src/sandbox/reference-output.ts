import type { Execution } from './sandbox.js';

/**
 * What the DeepEyesV2 reference sandbox (MultiModal-Jupyter-Sandbox `fast_api_server.py`,
 * terminal IPython) would have returned for a call: the text and images the released
 * weights were trained on. The v1 server sends this; the agent shows it to the model.
 * Quirks are kept where they change what the model reads (reference-sandbox.md facts
 * 1-6) and fixed where the reference lost data (warnings and stderr writes are kept,
 * output before a timeout is kept, a dead kernel says so).
 */
export type ReferenceOutput = {
  /** str() of the last value, the string "None" without one; null after a syntax error, timeout or death. */
  result: string | null;
  stdout: string;
  stderr: string;
  /** PNG bytes of the plt.show() figures only (fact 4). */
  images: Uint8Array[];
  /** The reference adds `debug_info` only to calls that ran to their own end. */
  ranToEnd: boolean;
};

/** The reference's text for both timeouts and a dying kernel; we keep it for timeouts only. */
export const REFERENCE_TIMEOUT_TEXT = 'TimeOutError: code execution timed out';

const SYNTAX_ERRORS = new Set(['SyntaxError', 'IndentationError', 'TabError']);

/**
 * - a syntax error answers `SyntaxError - <message> (<string>, line n)`, nothing else (fact 1);
 * - display() prints its repr into stdout and returns no image; a PIL image as last value
 *   returns none either; only plt.show() figures are images (facts 3, 4);
 * - a bare last value appears in stdout as `Out[n]: <repr>` while `result` is its str() (fact 3);
 * - a timeout answers the reference's TimeOutError text but keeps the output printed before it;
 * - every execution count reads 1 (`Out[1]:`, `Cell In[1], line k`): the reference built a
 *   new shell for every call, so the weights never saw another (facts 3, 6). The kernel's
 *   real count stays in `Execution.executionCount` for the native API and the notebook view.
 */
export function referenceOutput(execution: Execution): ReferenceOutput {
  const error = execution.error;
  if (execution.status === 'error' && error && SYNTAX_ERRORS.has(error.name)) {
    const message = error.value.replace(/\(([^()]*), line (\d+)\)$/, '(<string>, line $2)');
    return { result: null, stdout: '', stderr: `${error.name} - ${message}`, images: [], ranToEnd: false };
  }
  const stdout = stdoutWithDisplays(execution);
  const images = shownFigures(execution);
  const errorText = asFirstCell(execution.stderr);
  if (execution.status === 'timeout' || execution.status === 'killed' || execution.status === 'dead') {
    const own = execution.status === 'timeout' ? REFERENCE_TIMEOUT_TEXT : lastNotice(errorText);
    const written = stripNotice(errorText);
    const stderr =
      execution.status === 'killed' ? `${written}${REFERENCE_TIMEOUT_TEXT}\n${own}` : `${written}${own}`;
    return { result: null, stdout, stderr, images, ranToEnd: false };
  }
  return {
    result: execution.result ?? 'None',
    stdout: execution.result === undefined ? stdout : `${stdout}${outPrompt(execution)}`,
    stderr: errorText,
    images,
    ranToEnd: true,
  };
}

/** Terminal IPython prints what display() shows (its text/plain) where the call happened. */
function stdoutWithDisplays(execution: Execution): string {
  const displays = execution.displays;
  if (displays === undefined) return execution.stdout;
  let out = '';
  let at = 0;
  for (const displayed of displays) {
    if (displayed.source !== 'display' || displayed.text === undefined) continue;
    const offset = Math.min(Math.max(displayed.stdoutOffset, at), execution.stdout.length);
    out += `${execution.stdout.slice(at, offset)}${displayed.text}\n`;
    at = offset;
  }
  return out + execution.stdout.slice(at);
}

function shownFigures(execution: Execution): Uint8Array[] {
  const displays = execution.displays;
  if (displays === undefined) return execution.images;
  const shown: Uint8Array[] = [];
  for (const displayed of displays) {
    if (displayed.source !== 'show' || displayed.image === undefined) continue;
    const image = execution.images[displayed.image];
    if (image) shown.push(image);
  }
  return shown;
}

/**
 * IPython's terminal displayhook: the display text (repr), not str(); a multi-line value
 * starts on its own line.
 */
function outPrompt(execution: Execution): string {
  const value = execution.resultDisplay ?? execution.result ?? '';
  return `Out[${REFERENCE_EXECUTION_COUNT}]: ${value.includes('\n') ? '\n' : ''}${value}\n`;
}

/** The only execution count the reference ever showed. */
export const REFERENCE_EXECUTION_COUNT = 1;

/**
 * Traceback frames of any cell read `Cell In[1], line k`, as in the reference, where every
 * cell (and every function defined in an earlier call, re-created from its pickled state
 * in a fresh shell) was cell 1. Only the frame header at a line start is touched.
 */
export function asFirstCell(traceback: string): string {
  return traceback.replace(/^Cell In\[\d+\], line (\d+)/gm, `Cell In[${REFERENCE_EXECUTION_COUNT}], line $1`);
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
