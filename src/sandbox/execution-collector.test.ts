import { describe, expect, it } from 'vitest';
import { ExecutionCollector } from './execution-collector.js';

const limits = { maxStreamChars: 10, maxImages: 1, maxImageBytes: 100 };
const png = (bytes: number) => Buffer.alloc(bytes, 1).toString('base64');

describe('ExecutionCollector', () => {
  it("takes the kernel's str() of the value as result and text/plain as its display", () => {
    const collector = new ExecutionCollector(limits);
    collector.add('execute_result', {
      data: { 'text/plain': "'ab'" },
      metadata: { deepeyes: { str: 'ab' } },
      execution_count: 1,
    });
    expect(collector.finish()).toMatchObject({ result: 'ab', resultDisplay: "'ab'", executionCount: 1 });
  });

  it('cuts each stream at its limit and says so in the text', () => {
    const collector = new ExecutionCollector(limits);
    collector.add('stream', { name: 'stdout', text: '0123456' });
    collector.add('stream', { name: 'stdout', text: '789abcdef' });
    collector.add('stream', { name: 'stderr', text: 'short' });
    const output = collector.finish();
    expect(output.stdout).toBe('0123456789\n[deepeyes: stdout truncated at 10 characters]\n');
    expect(output.stderr).toBe('short');
    expect(output.truncated).toBe(true);
  });

  it('keeps images up to the count and size limits and reports the dropped ones', () => {
    const collector = new ExecutionCollector({ ...limits, maxImages: 2 });
    collector.add('display_data', { data: { 'image/png': png(10), 'text/plain': '<Figure>' } });
    collector.add('display_data', { data: { 'image/png': png(500) } });
    collector.add('execute_result', {
      data: { 'image/png': png(20), 'text/plain': '<PIL>' },
      execution_count: 3,
    });
    collector.add('display_data', { data: { 'image/png': png(20) } });
    const output = collector.finish();
    expect(output.images.map((image) => image.length)).toEqual([10, 20]);
    expect(output.result).toBe('<PIL>');
    expect(output.executionCount).toBe(3);
    expect(output.stderr).toContain('1 image(s) dropped, limit 2 per call');
    expect(output.stderr).toContain('1 image(s) dropped, larger than 100 bytes');
  });

  it('appends the traceback without colour codes after stderr, or leaves it out on request', () => {
    const error = { ename: 'ValueError', evalue: 'bad', traceback: ['\x1b[0;31mValueError\x1b[0m: bad'] };
    const collector = new ExecutionCollector(limits);
    collector.add('stream', { name: 'stderr', text: 'warn' });
    collector.add('error', error);
    expect(collector.finish()).toMatchObject({
      stderr: 'warn\nValueError: bad\n',
      error: { name: 'ValueError', value: 'bad', traceback: 'ValueError: bad' },
    });
    expect(collector.finish({ includeTraceback: false })).toMatchObject({ stderr: 'warn' });
  });

  it('takes the exception from the reply when IPython could not format one', () => {
    const collector = new ExecutionCollector(limits);
    collector.setErrorFromReply('MemoryError', '');
    expect(collector.finish().error).toEqual({ name: 'MemoryError', value: '', traceback: '' });
  });

  it('ignores malformed messages instead of failing the call', () => {
    const collector = new ExecutionCollector(limits);
    collector.add('stream', { name: 'elsewhere', text: 1 });
    collector.add('display_data', 'nonsense');
    expect(collector.finish()).toMatchObject({ stdout: '', stderr: '', images: [], truncated: false });
  });
});
