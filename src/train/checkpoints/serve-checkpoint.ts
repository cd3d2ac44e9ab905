import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { DeepeyesError, UserError } from '../../errors.js';
import { shellQuote } from '../ray/build-submission.js';

/**
 * Serving one checkpoint with the user's command (`vllm serve {path} --port {port}`): started in
 * its own process group, ready when `GET /v1/models` answers, stopped by signalling the whole group
 * (vLLM forks workers), so nothing is left behind; a bounded wait at every stage.
 */

const PLACEHOLDERS = ['path', 'port', 'step'] as const;

/** Checks a serve-command template: it must say where the checkpoint goes and where to listen. */
export function checkServeTemplate(template: string): void {
  for (const name of ['path', 'port'])
    if (!template.includes(`{${name}}`))
      throw new UserError('serve-template', `--serve-cmd has no {${name}}`, {
        hint: "e.g. --serve-cmd 'vllm serve {path} --port {port} --max-model-len 32768'",
      });
  const unknown = [...template.matchAll(/\{(\w+)\}/g)]
    .map((match) => match[1]!)
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new UserError(
      'serve-template',
      `--serve-cmd has unknown placeholder(s) {${unknown.join('}, {')}}`,
      {
        hint: 'only {path}, {port} and {step} are filled in',
      },
    );
}

/** The template with `{path}` (shell-quoted), `{port}` and `{step}` filled in. */
export function fillServeTemplate(
  template: string,
  values: { path: string; port: number; step: number },
): string {
  return template
    .replaceAll('{path}', shellQuote(values.path))
    .replaceAll('{port}', String(values.port))
    .replaceAll('{step}', String(values.step));
}

/** A free TCP port on 127.0.0.1, from the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

export type RunningServer = {
  /** OpenAI-style base URL, `http://127.0.0.1:<port>/v1`. */
  url: string;
  pid: number;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the group is gone. */
  stop(): Promise<void>;
};

export type StartServerOptions = {
  command: string;
  port: number;
  /** Limit on the wait for `/v1/models`. */
  readyTimeoutMs: number;
  /** Time the server gets to exit after SIGTERM before SIGKILL. Default 15 s. */
  graceMs?: number;
  /** Each line the server prints (for a log file). */
  onOutput?: (text: string) => void;
  signal?: AbortSignal;
};

/**
 * Whether any process of the group still runs. A zombie does not count: when deepeyes exits from a
 * signal handler the event loop never reaps the shell, and an exited process holds nothing.
 */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
  } catch {
    return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return true; // No /proc: trust the signal probe.
  }
  return entries.some((entry) => {
    try {
      // /proc/PID/stat: "pid (comm) state ppid pgrp …"; comm may hold spaces and parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[2]) === pid && fields[0] !== 'Z';
    } catch {
      return false;
    }
  });
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGTERM, a synchronous wait of up to `graceMs` (we are about to exit), then SIGKILL. */
function stopNow(pid: number, graceMs: number): void {
  killGroup(pid, 'SIGTERM');
  const pause = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) Atomics.wait(pause, 0, 0, 50);
  killGroup(pid, 'SIGKILL');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startCheckpointServer(options: StartServerOptions): Promise<RunningServer> {
  const child: ChildProcess = spawn('sh', ['-c', options.command], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new DeepeyesError('serve-failed', `could not start: ${options.command}`);
  // If deepeyes exits, the server goes with it. Ctrl-C reaches only our own process group (the
  // server has its own), so a signal stops the server before deepeyes exits as the signal asks.
  const onExit = () => killGroup(pid, 'SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    stopNow(pid, options.graceMs ?? 15_000);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const tail: string[] = [];
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    options.onOutput?.(text);
    tail.push(...text.split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited: { code: number | null; signal: string | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  const stop = async () => {
    killGroup(pid, 'SIGTERM');
    const deadline = Date.now() + (options.graceMs ?? 15_000);
    while (groupAlive(pid) && Date.now() < deadline) await sleep(100);
    if (groupAlive(pid)) killGroup(pid, 'SIGKILL');
    while (groupAlive(pid)) await sleep(50);
    await Promise.race([exit, sleep(2000)]);
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  const url = `http://127.0.0.1:${options.port}/v1`;
  const deadline = Date.now() + options.readyTimeoutMs;
  try {
    for (;;) {
      if (options.signal?.aborted) throw options.signal.reason ?? new Error('aborted');
      if (exited)
        throw new DeepeyesError(
          'serve-failed',
          `the serve command exited (${exited.signal ?? `code ${exited.code}`}) before answering /v1/models: ${options.command}`,
          { hint: tail.length ? `its last output:\n  ${tail.join('\n  ')}` : 'it printed nothing' },
        );
      if (Date.now() > deadline)
        throw new DeepeyesError(
          'serve-timeout',
          `${url}/models did not answer within ${Math.round(options.readyTimeoutMs / 1000)} s: ${options.command}`,
          { hint: `raise --serve-timeout, or check its output:\n  ${tail.join('\n  ')}` },
        );
      const ready = await fetch(`${url}/models`, { signal: AbortSignal.timeout(2000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return { url, pid, stop };
      await Promise.race([exit, sleep(250)]);
    }
  } catch (error) {
    await stop();
    throw error;
  }
}
