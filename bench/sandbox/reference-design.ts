import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER = fileURLToPath(new URL('./reference-worker.py', import.meta.url));

export type ReferenceCall = { ms: number; stdout: string; stateBytes: number };

/**
 * The reference sandbox's design, minus Redis and HTTP: every call spawns a new
 * Python process that imports the libraries and restores pickled state.
 */
export class ReferenceDesign {
  private readonly dir = mkdtempSync(join(tmpdir(), 'deepeyes-refbench-'));

  constructor(private readonly pythonPath = '/usr/bin/python3') {}

  call(sessionId: string, code: string): Promise<ReferenceCall> {
    const startedAt = performance.now();
    return new Promise((resolve, reject) => {
      const child = spawn(this.pythonPath, [WORKER, join(this.dir, `${sessionId}.pkl`)], {
        env: { PATH: '/usr/bin:/bin', MPLCONFIGDIR: join(this.dir, 'mpl'), OPENBLAS_NUM_THREADS: '1' },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code !== 0) return reject(new Error(`reference worker exited with ${code}`));
        const parsed = JSON.parse(output) as { stdout: string; stateBytes: number };
        resolve({ ms: performance.now() - startedAt, stdout: parsed.stdout, stateBytes: parsed.stateBytes });
      });
      child.stdin.end(code);
    });
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
