import { describe, expect, it } from 'vitest';
import { referenceOutput } from './reference-output.js';
import type { Execution } from './sandbox.js';

const png = (marker: number) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, marker]);

function execution(overrides: Partial<Execution>): Execution {
  return {
    stdout: '',
    stderr: '',
    images: [],
    status: 'ok',
    executionCount: 3,
    durationMs: 1,
    truncated: false,
    ...overrides,
  };
}

describe('referenceOutput', () => {
  it('prints display() texts where they happened and keeps only shown figures', () => {
    const output = referenceOutput(
      execution({
        stdout: 'one\ntwo\n',
        images: [png(1), png(2), png(3)],
        displays: [
          { source: 'display', text: '<PIL.Image.Image image mode=RGB size=4x4>', image: 0, stdoutOffset: 4 },
          { source: 'show', text: '<Figure size 640x480 with 1 Axes>', image: 1, stdoutOffset: 8 },
          { source: 'display', text: "'note'", stdoutOffset: 8 },
          { source: 'auto', text: '<Figure size 640x480 with 1 Axes>', image: 2, stdoutOffset: 8 },
        ],
      }),
    );
    expect(output.stdout).toBe("one\n<PIL.Image.Image image mode=RGB size=4x4>\ntwo\n'note'\n");
    expect(output.images).toEqual([png(2)]);
    expect(output.result).toBe('None');
    expect(output.ranToEnd).toBe(true);
  });

  it('adds Out[1] (the reference count, whatever the kernel count) with the repr after everything printed, and answers str() as result', () => {
    const output = referenceOutput(
      execution({
        stdout: 'x\n',
        result: 'a\nb',
        resultDisplay: "'a\\nb'",
        images: [png(1)],
        displays: [{ source: 'result', text: "'a\\nb'", image: 0, stdoutOffset: 2 }],
      }),
    );
    expect(output.stdout).toBe("x\nOut[1]: 'a\\nb'\n");
    expect(output.result).toBe('a\nb');
    expect(output.images).toEqual([]); // a PIL value returns no image (fact 3)
  });

  it('returns every image from a sandbox that does not say who displayed what', () => {
    expect(referenceOutput(execution({ images: [png(1), png(2)] })).images).toHaveLength(2);
  });

  it('keeps what was printed before a timeout under the reference timeout text', () => {
    const output = referenceOutput(
      execution({
        status: 'timeout',
        stdout: 'partial\n',
        stderr:
          'TimeoutError: execution interrupted after its 5000 ms timeout; variables set before the interrupt are kept\n',
      }),
    );
    expect(output).toEqual({
      result: null,
      stdout: 'partial\n',
      stderr: 'TimeOutError: code execution timed out',
      images: [],
      ranToEnd: false,
    });
  });

  it('labels every traceback frame Cell In[1], as the reference did (fact 6)', () => {
    const traceback = [
      'ZeroDivisionError                         Traceback (most recent call last)',
      'Cell In[6], line 2',
      '      1 x = 1',
      '----> 2 ratio(x, 0)',
      '',
      'Cell In[12], line 2, in ratio(a, b)',
      '----> 2     return a / b # Cell In[4], line 9 stays in code text',
      '',
      'ZeroDivisionError: division by zero',
      '',
    ];
    const output = referenceOutput(
      execution({ status: 'error', executionCount: 6, stderr: traceback.join('\n') }),
    );
    const expected = [...traceback];
    expected[1] = 'Cell In[1], line 2';
    expected[5] = 'Cell In[1], line 2, in ratio(a, b)';
    expect(output.stderr).toBe(expected.join('\n'));
  });
});
