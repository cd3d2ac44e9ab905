import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { Execution, Sandbox, SandboxSession } from '../../sandbox/sandbox.js';

/**
 * TEST DOUBLE, not a sandbox: a plain `/usr/bin/python3` child (Debian's, which has sympy) behind the
 * `Sandbox` interface, with no isolation at all. Used by the reward tests only, so the sympy path runs
 * against real sympy without depending on the real sandbox, which another area builds.
 */
const DRIVER = `
import io, json, sys, traceback, contextlib
namespace = {}
for line in sys.stdin:
    request = json.loads(line)
    out, err = io.StringIO(), io.StringIO()
    status = 'ok'
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            exec(compile(request['code'], '<cell>', 'exec'), namespace)
        except Exception:
            status = 'error'
            traceback.print_exc()
    sys.stdout.write(json.dumps({'stdout': out.getvalue(), 'stderr': err.getvalue(), 'status': status}) + '\\n')
    sys.stdout.flush()
`;

const REPLY = z.object({ stdout: z.string(), stderr: z.string(), status: z.enum(['ok', 'error']) });

class PythonChildSession implements SandboxSession {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly replies: Array<(line: string) => void> = [];
  private executionCount = 0;

  constructor(readonly id: string) {
    this.child = spawn('/usr/bin/python3', ['-u', '-c', DRIVER], { stdio: 'pipe' });
    createInterface({ input: this.child.stdout }).on('line', (line) => this.replies.shift()?.(line));
  }

  async execute(code: string, options: { timeoutMs?: number } = {}): Promise<Execution> {
    const started = Date.now();
    this.executionCount++;
    const timeoutMs = options.timeoutMs ?? 30_000;
    const line = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), timeoutMs);
      this.replies.push((reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.child.stdin.write(`${JSON.stringify({ code })}\n`);
    });
    const base = { images: [], executionCount: this.executionCount, truncated: false };
    if (line === undefined) {
      this.child.kill('SIGKILL');
      return { ...base, stdout: '', stderr: '', status: 'killed', durationMs: Date.now() - started };
    }
    const reply = REPLY.parse(JSON.parse(line));
    return { ...base, ...reply, durationMs: Date.now() - started };
  }

  async close(): Promise<void> {
    this.child.kill('SIGKILL');
  }
}

export function createPythonChildSandbox(): Sandbox & { readonly sessionsOpened: number } {
  const sessions: PythonChildSession[] = [];
  return {
    get sessionsOpened() {
      return sessions.length;
    },
    async openSession() {
      const session = new PythonChildSession(`python-child-${sessions.length + 1}`);
      sessions.push(session);
      return session;
    },
    async close() {
      await Promise.all(sessions.map((session) => session.close()));
    },
  };
}
