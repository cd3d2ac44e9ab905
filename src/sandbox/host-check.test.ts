import { describe, expect, it } from 'vitest';
import { createLocalSandbox } from './kernel-sandbox.js';

describe('refusing to run unisolated by accident', () => {
  it('refuses to start when bubblewrap is missing, and names the explicit opt-out', async () => {
    const attempt = createLocalSandbox({ bwrapPath: '/nonexistent/bwrap' });
    await expect(attempt).rejects.toMatchObject({ code: 'bwrap-missing' });
    await expect(attempt).rejects.toHaveProperty('hint', expect.stringContaining('--unsafe-no-isolation'));
  });

  it('refuses a Python that does not exist', async () => {
    await expect(createLocalSandbox({ pythonPath: '/nonexistent/python3' })).rejects.toMatchObject({
      code: 'python-missing',
    });
  });
});
