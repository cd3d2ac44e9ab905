import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { DeepeyesError } from '../errors.js';

/**
 * A long-lived `/usr/bin/python3` that runs `autopep8.fix_code` on text it is sent, for the
 * `upstream` code-repair mode. It formats source; it never executes it. One request at a time over
 * JSON lines on stdin/stdout; the process starts on first use and is restarted after a failure.
 * The golden fixtures were made with Debian bookworm's autopep8 2.0.1 (pycodestyle 2.10.0); other
 * versions may format differently, so `version` reports what is installed.
 */

const SERVER_SCRIPT = `
import json, sys
try:
    import autopep8
except Exception as error:
    sys.stdout.write(json.dumps({"fatal": "%s: %s" % (type(error).__name__, error)}) + "\\n")
    sys.stdout.flush()
    sys.exit(1)
sys.stdout.write(json.dumps({"ready": True, "version": autopep8.__version__}) + "\\n")
sys.stdout.flush()
for line in sys.stdin:
    request = json.loads(line)
    try:
        reply = {"id": request["id"], "code": autopep8.fix_code(request["code"], options={"aggressive": 2})}
    except Exception as error:
        reply = {"id": request["id"], "error": "%s: %s" % (type(error).__name__, error)}
    sys.stdout.write(json.dumps(reply) + "\\n")
    sys.stdout.flush()
`;

const replySchema = z.union([
  z.object({ ready: z.literal(true), version: z.string() }),
  z.object({ fatal: z.string() }),
  z.object({ id: z.number(), code: z.string() }),
  z.object({ id: z.number(), error: z.string() }),
]);

export type Autopep8Options = {
  /** Python with autopep8 importable. Default `/usr/bin/python3` (Debian's python3-autopep8). */
  pythonPath?: string;
  /** Budget for one formatting call; the process is killed and restarted past it. Default 10 000. */
  timeoutMs?: number;
};

type Pending = { resolve: (code: string) => void; reject: (error: Error) => void; timer: NodeJS.Timeout };

export class Autopep8Formatter {
  private child: ChildProcessWithoutNullStreams | undefined;
  private starting: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private installedVersion: string | undefined;
  private readonly pythonPath: string;
  private readonly timeoutMs: number;

  constructor(options: Autopep8Options = {}) {
    this.pythonPath = options.pythonPath ?? '/usr/bin/python3';
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** autopep8's version, known once the process has started. */
  get version(): string | undefined {
    return this.installedVersion;
  }

  /** `autopep8.fix_code(code, options={'aggressive': 2})`. Rejects with a `DeepeyesError` if Python or autopep8 fails. */
  readonly fixCode = async (code: string): Promise<string> => {
    await this.start();
    const child = this.child;
    if (!child) throw this.failure('autopep8 is not running');
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(this.failure(`autopep8 took longer than ${this.timeoutMs} ms`));
        this.stop();
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      // ASCII-only JSON: the child's stdin encoding then does not matter.
      const request = JSON.stringify({ id, code }).replace(
        /[\u007f-\uffff]/g,
        (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
      child.stdin.write(`${request}\n`);
    });
  };

  /** Starts the Python process now instead of on first use (e.g. to fail fast at startup). */
  start(): Promise<void> {
    if (this.child) return Promise.resolve();
    this.starting ??= this.spawnServer().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  async close(): Promise<void> {
    this.stop();
  }

  private spawnServer(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const child = spawn(this.pythonPath, ['-I', '-c', SERVER_SCRIPT], { stdio: 'pipe' });
      let ready = false;
      let stderr = '';
      // A write after the child died reports EPIPE here; the exit handler already failed the caller.
      child.stdin.on('error', () => undefined);
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        stderr = (stderr + chunk).slice(-2000);
      });
      child.on('error', (error) => {
        if (!ready) reject(this.failure(`cannot start ${this.pythonPath}`, error));
      });
      child.on('exit', (exitCode) => {
        if (this.child === child) this.child = undefined;
        const reason = this.failure(
          `autopep8 process exited with code ${exitCode}${stderr ? `: ${stderr.trim()}` : ''}`,
        );
        if (!ready) reject(reason);
        this.rejectAll(reason);
      });
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        const parsed = replySchema.safeParse(safeJson(line));
        if (!parsed.success) return;
        const reply = parsed.data;
        if ('fatal' in reply) {
          reject(this.failure(`autopep8 cannot be imported (${reply.fatal})`));
          return;
        }
        if ('ready' in reply) {
          ready = true;
          this.installedVersion = reply.version;
          this.child = child;
          resolve();
          return;
        }
        const waiting = this.pending.get(reply.id);
        if (!waiting) return;
        this.pending.delete(reply.id);
        clearTimeout(waiting.timer);
        if ('code' in reply) waiting.resolve(reply.code);
        else waiting.reject(this.failure(`autopep8 failed: ${reply.error}`));
      });
    });
  }

  private stop(): void {
    const child = this.child;
    this.child = undefined;
    child?.stdin.end();
    child?.kill();
    this.rejectAll(this.failure('autopep8 was stopped'));
  }

  private rejectAll(error: Error): void {
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      this.pending.delete(id);
    }
  }

  private failure(message: string, cause?: unknown): DeepeyesError {
    return new DeepeyesError('autopep8-failed', message, {
      cause,
      hint: 'the upstream code-repair mode needs Python with autopep8 (Debian: apt-get install python3-autopep8), or use --code-repair auto',
    });
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
