import { existsSync } from 'node:fs';
import { UserError } from '../errors.js';
import type { ResolvedSandboxOptions } from './sandbox-options.js';

/** Refuses, before anything starts, a host that cannot run the sandbox as configured. */
export function checkHost(options: ResolvedSandboxOptions): void {
  if (!existsSync(options.pythonPath)) {
    throw new UserError('python-missing', `Python not found at ${options.pythonPath}`, {
      hint: 'Install python3-ipykernel and the image libraries, or pass pythonPath.',
    });
  }
  if (!options.isolation) return;
  if (!existsSync(options.bwrapPath)) {
    throw new UserError(
      'bwrap-missing',
      `bubblewrap not found at ${options.bwrapPath}; refusing to run code unisolated`,
      {
        hint: 'Install bubblewrap (apt-get install bubblewrap), or pass --unsafe-no-isolation if you accept running model code without a sandbox.',
      },
    );
  }
  if (process.getuid?.() !== 0) {
    throw new UserError(
      'isolation-needs-root',
      'Per-kernel isolation (own uid, mounts and network namespace) needs root',
      {
        hint: 'Run the sandbox server as root (e.g. in its container), or pass --unsafe-no-isolation.',
      },
    );
  }
}
