/**
 * The real `deepeyes` executable in a child process, for tests about processes and signals: output is
 * awaited as events (a line on stdout or stderr), and the process tree is read with `ps`, the one thing
 * that has to be polled (bounded, with a message naming what did not happen).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

export type Proc = { pid: number; ppid: number; comm: string };

export function processTable(): Proc[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,ppid=,comm='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [pid, ppid, ...comm] = line.trim().split(/\s+/);
      return { pid: Number(pid), ppid: Number(ppid), comm: comm.join(' ') };
    });
}

/** Every process under `root` (children, their children, …), from one `ps` snapshot. */
export function descendants(root: number): Proc[] {
  const table = processTable();
  const found: Proc[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const children = table.filter((p) => frontier.includes(p.ppid));
    found.push(...children);
    frontier = children.map((p) => p.pid);
  }
  return found;
}

/** The processes of `procs` still running. */
export function alive(procs: Proc[]): Proc[] {
  const now = new Set(processTable().map((p) => p.pid));
  return procs.filter((p) => now.has(p.pid));
}

/**
 * Polls the process table every 100 ms until `probe` returns a value (processes outside this test have
 * no event to wait on), and fails after `limitMs` saying `what` did not happen.
 */
export async function pollProcesses<T>(
  what: string,
  probe: () => T | undefined,
  limitMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`${what} did not happen within ${limitMs} ms (checked with ps)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Resolves once every process in `procs` has exited; the failure lists the ones still running. */
export async function expectAllExited(procs: Proc[], limitMs = 10_000): Promise<void> {
  await pollProcesses(
    `the exit of ${procs.map((p) => `${p.comm}[${p.pid}]`).join(', ')}`,
    () => (alive(procs).length === 0 ? true : undefined),
    limitMs,
  ).catch((error: Error) => {
    throw new Error(`${error.message}; still running: ${JSON.stringify(alive(procs))}`);
  });
}

export type DeepeyesProcess = {
  child: ChildProcess;
  pid: number;
  stdout: () => string;
  stderr: () => string;
  /** Exit code and signal, once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /**
   * Resolves with the first match of `pattern` in the output so far or to come (stdout by default);
   * rejects when the process exits first or after `limitMs`, with the output seen.
   */
  waitForOutput(
    pattern: RegExp,
    options?: { stream?: 'stdout' | 'stderr' | 'either'; limitMs?: number },
  ): Promise<RegExpExecArray>;
  /** Sends `signal` to the process, or to its whole group as a terminal's Ctrl-C does. */
  signal(signal: NodeJS.Signals, target?: 'pid' | 'group'): void;
};

const started: ChildProcess[] = [];

/**
 * Starts `node bin/deepeyes.js …args` in its own process group (so a test can signal the group as a
 * terminal does). Call {@link killStarted} in `afterEach`.
 */
export function startDeepeyes(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): DeepeyesProcess {
  const child = spawn(process.execPath, [`${process.cwd()}/bin/deepeyes.js`, ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  started.push(child);
  const output = { stdout: '', stderr: '' };
  const listeners = new Set<() => void>();
  for (const stream of ['stdout', 'stderr'] as const)
    child[stream]?.on('data', (chunk: Buffer) => {
      output[stream] += chunk.toString();
      for (const listener of listeners) listener();
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const pid = child.pid as number;
  return {
    child,
    pid,
    stdout: () => output.stdout,
    stderr: () => output.stderr,
    exited,
    waitForOutput(pattern, { stream = 'stdout', limitMs = 60_000 } = {}) {
      return new Promise((resolve, reject) => {
        const done = () => {
          listeners.delete(check);
          clearTimeout(timer);
        };
        const check = () => {
          const match =
            stream === 'either'
              ? (pattern.exec(output.stdout) ?? pattern.exec(output.stderr))
              : pattern.exec(output[stream]);
          if (match) {
            done();
            resolve(match);
          }
        };
        const fail = (why: string) => {
          done();
          reject(
            new Error(
              `deepeyes ${args[0]}: ${why} before ${stream} showed ${pattern}\nstdout: ${output.stdout}\nstderr: ${output.stderr}`,
            ),
          );
        };
        const timer = setTimeout(() => fail(`${limitMs} ms passed`), limitMs);
        listeners.add(check);
        void exited.then(({ code, signal }) => {
          check();
          if (listeners.has(check)) fail(`the process exited (code ${code}, signal ${signal})`);
        });
        check();
      });
    },
    signal(signal, target = 'pid') {
      process.kill(target === 'group' ? -pid : pid, signal);
    },
  };
}

/**
 * Starts a server command (`sandbox serve`, `env serve`, `view`, …) and resolves once its banner, on
 * stdout or stderr, names the URL it listens on.
 */
export async function startServer(
  args: string[],
  banner = /(http:\/\/127\.0\.0\.1:\d+)/,
): Promise<DeepeyesProcess & { url: string }> {
  const server = startDeepeyes(args);
  const match = await server.waitForOutput(banner, { stream: 'either' });
  return { ...server, url: match[1] ?? match[0] };
}

/** SIGKILLs the process group of every process started here that is still running. */
export function killStarted(): void {
  for (const child of started.splice(0))
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
}
