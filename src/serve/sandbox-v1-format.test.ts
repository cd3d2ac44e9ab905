import { describe, expect, it } from 'vitest';
import type { Execution } from '../sandbox/sandbox.js';
import { toV1Response } from './sandbox-v1-format.js';

const base: Execution = {
  stdout: '',
  stderr: '',
  images: [],
  status: 'ok',
  executionCount: 3,
  durationMs: 1500,
  truncated: false,
};

describe('v1 answer format', () => {
  it('writes a multi-line value on its own line after Out[n], like the terminal displayhook, always as Out[1] (reference fact 6: a fresh shell per call)', () => {
    const answer = toV1Response({ ...base, stdout: 'x\n', result: 'array([[1],\n       [2]])' });
    expect(answer).toEqual({
      output: {
        result: 'array([[1],\n       [2]])',
        stdout: 'x\nOut[1]: \narray([[1],\n       [2]])\n',
        stderr: '',
        images: [],
        debug_info: { msg: '' },
      },
      status: 'success',
      execution_time: 1.5,
    });
  });

  it('answers str() as result and the display text after Out[n] (reference fact 3)', () => {
    const answer = toV1Response({ ...base, result: 'abc', resultDisplay: "'abc'" });
    expect(answer.output).toMatchObject({ result: 'abc', stdout: "Out[1]: 'abc'\n" });
  });

  it('sends images as raw base64 without a data URI prefix', () => {
    const answer = toV1Response({ ...base, images: [new Uint8Array([137, 80, 78, 71])] });
    expect(answer.output).toMatchObject({ images: ['iVBORw=='], result: 'None' });
  });

  it('says a kernel was killed after a timeout, and a dead kernel is dead, not a timeout', () => {
    const killed = toV1Response({
      ...base,
      status: 'killed',
      stdout: 'partial\n',
      stderr: 'TimeoutError: the code ran past its 5000 ms timeout and did not stop when interrupted; …\n',
    });
    expect(killed.output).toMatchObject({
      result: null,
      stdout: 'partial\n',
      stderr:
        'TimeOutError: code execution timed out\nTimeoutError: the code ran past its 5000 ms timeout and did not stop when interrupted; …',
    });
    expect(killed.output).not.toHaveProperty('debug_info');
    const dead = toV1Response({
      ...base,
      status: 'dead',
      stderr: 'warning\nKernelDied: the Python kernel died (killed by SIGKILL)\n',
    });
    expect(dead.output).toMatchObject({
      stderr: 'warning\nKernelDied: the Python kernel died (killed by SIGKILL)',
    });
  });

  it('reports IndentationError in the reference syntax-error shape', () => {
    const answer = toV1Response({
      ...base,
      status: 'error',
      error: { name: 'IndentationError', value: 'unexpected indent (123.py, line 2)', traceback: '…' },
    });
    expect(answer.output).toEqual({
      result: null,
      stdout: '',
      stderr: 'IndentationError - unexpected indent (<string>, line 2)',
      images: [],
    });
  });
});
