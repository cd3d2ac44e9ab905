import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const CLIENT_SCRIPT = fileURLToPath(new URL('./v1-client.py', import.meta.url));

const clientAnswerSchema = z.object({ client: z.string(), ms: z.array(z.number()) });

export type V1ClientRun = { client: string; samplesMs: number[] };

/**
 * Times warm calls from a Python client in its own process with one keep-alive
 * connection, as DeepEyesV2's RL environment makes them: the client's CPU is not the
 * server's, and every call reuses the socket. `target` "v1" is `print(1)` at
 * POST /jupyter_sandbox; "health" is GET /health, the floor of HTTP plus client.
 * `library` "requests" falls back to http.client when that Python lacks requests (the
 * answer names what ran). `pythonPath` defaults to BENCH_CLIENT_PYTHON or `python3` on PATH.
 */
export function runV1Client(options: {
  baseUrl: string;
  target: 'v1' | 'health';
  sessionId: string;
  warmUpCalls: number;
  timedCalls: number;
  library: 'requests' | 'http.client';
  pythonPath?: string;
}): Promise<V1ClientRun> {
  const pythonPath = options.pythonPath ?? process.env.BENCH_CLIENT_PYTHON ?? 'python3';
  const argv = [
    CLIENT_SCRIPT,
    options.baseUrl,
    options.target,
    options.sessionId,
    String(options.warmUpCalls),
    String(options.timedCalls),
    options.library,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(pythonPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`v1 client exited with ${code}: ${stderr.trim()}`));
      try {
        const answer = clientAnswerSchema.parse(JSON.parse(stdout));
        resolve({ client: answer.client, samplesMs: answer.ms });
      } catch (error) {
        reject(
          new Error(`v1 client printed something unreadable: ${stdout.slice(0, 200)}`, { cause: error }),
        );
      }
    });
  });
}
