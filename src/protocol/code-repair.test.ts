import { describe, expect, it } from 'vitest';
import { repairCodeUpstream, repairIndentation } from './code-repair.js';

describe('repairIndentation (upstream re-indent pass)', () => {
  it('re-indents code whose indentation is broken', () => {
    expect(repairIndentation('  x = 1\n      y = 2\n print(x + y)')).toBe('x = 1\ny = 2\nprint(x + y)');
    expect(repairIndentation('for i in range(2):\nprint(i)')).toBe('for i in range(2):\n    print(i)');
  });

  it('dedents before except/elif/else/finally and drops blank lines', () => {
    const code = 'try:\n  x = 1\n\nexcept ValueError:\n  x = 2\nfinally:\n  print(x)';
    expect(repairIndentation(code)).toBe(
      'try:\n    x = 1\nexcept ValueError:\n    x = 2\nfinally:\n    print(x)',
    );
  });

  it('moves a statement after a loop into the loop, the upstream behaviour that changes meaning', () => {
    expect(repairIndentation('for i in range(3):\n    total += i\nprint(total)')).toBe(
      'for i in range(3):\n    total += i\n    print(total)',
    );
  });

  it('strips Python whitespace (CR, form feed) from line ends', () => {
    expect(repairIndentation('x = 1\r\n\fprint(x)\r')).toBe('x = 1\nprint(x)');
  });
});

describe('repairCodeUpstream', () => {
  it('formats the re-indented code', async () => {
    const seen: string[] = [];
    const result = await repairCodeUpstream('if a:\nb=1', async (code) => {
      seen.push(code);
      return `${code}\n`;
    });
    expect(seen).toEqual(['if a:\n    b=1']);
    expect(result).toBe('if a:\n    b=1\n');
  });

  it('returns the original code when formatting fails, as upstream does', async () => {
    const result = await repairCodeUpstream('  x=1', async () => {
      throw new Error('formatter down');
    });
    expect(result).toBe('  x=1');
  });
});
