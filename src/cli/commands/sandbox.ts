import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createLocalSandbox, type KernelSandbox } from '../../sandbox/kernel-sandbox.js';
import { buildSandboxServer } from '../../serve/sandbox-server.js';
import { type CliIO, processIO } from '../io.js';

const integer = (minimum: number) => z.coerce.number().int().min(minimum);

export const sandboxServeFlagsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: integer(0).max(65_535).default(8080),
  maxSessions: integer(1).default(64),
  /** Idle seconds before a session is closed. */
  sessionTtl: integer(1).default(3600),
  memoryLimitMb: integer(64).default(2048),
  /** All kernels together, in MB; default half the machine's RAM minus the server's own use. */
  memoryBudgetMb: integer(16).optional(),
  /** Seconds a new session may wait for room (session limit or memory budget) before a 503. */
  sessionWait: z.coerce.number().min(0).default(30),
  /** Seconds; the native API's default call budget (the v1 API keeps the reference's 5 s default). */
  timeoutDefault: z.coerce.number().positive().default(30),
  token: z.string().min(1).optional(),
  unsafeNoIsolation: z.boolean().default(false),
  poolSize: integer(0).max(64).default(2),
  processLimit: integer(8).default(64),
  /** CPU seconds one kernel may use over its life. */
  cpuTimeLimit: integer(1).default(900),
  scratchMb: integer(1).default(256),
  maxOutputChars: integer(1).default(100_000),
  maxImages: integer(0).default(10),
  maxImageMb: z.coerce.number().positive().default(16),
  maxBodyMb: z.coerce.number().positive().default(64),
  /** commander's `--no-kernel-lane` sets this false. */
  kernelLane: z.boolean().default(true),
  /** Host folders every kernel reads at the same path (repeatable). */
  roPath: z.array(z.string()).default([]),
  /** Seconds in-flight calls get to finish after SIGTERM/SIGINT before they are stopped. */
  drainTimeout: z.coerce.number().min(0).default(30),
});
export type SandboxServeFlags = z.input<typeof sandboxServeFlagsSchema>;

export type RunningSandboxServer = {
  app: FastifyInstance;
  sandbox: KernelSandbox;
  /** `http://host:port` it listens on. */
  url: string;
  /**
   * Stops listening, lets in-flight calls finish for up to `drainMs`, then stops the ones
   * still running (they answer "the sandbox server is shutting down") and ends every kernel.
   */
  close(drainMs?: number): Promise<void>;
};

/** Starts the sandbox and its HTTP server; the caller owns `close()`. */
export async function serveSandbox(rawFlags: SandboxServeFlags, io: CliIO): Promise<RunningSandboxServer> {
  const flags = sandboxServeFlagsSchema.parse(rawFlags);
  const token = flags.token ?? process.env.DEEPEYES_SANDBOX_TOKEN;
  if (flags.unsafeNoIsolation) {
    io.err("WARNING: --unsafe-no-isolation: model code runs with this user's rights, network and files.\n");
  }
  const sandbox = await createLocalSandbox(
    {
      isolation: !flags.unsafeNoIsolation,
      maxSessions: flags.maxSessions,
      sessionTtlMs: flags.sessionTtl * 1000,
      memoryLimitMb: flags.memoryLimitMb,
      ...(flags.memoryBudgetMb === undefined ? {} : { memoryBudgetMb: flags.memoryBudgetMb }),
      sessionWaitMs: Math.round(flags.sessionWait * 1000),
      defaultTimeoutMs: Math.round(flags.timeoutDefault * 1000),
      poolSize: flags.poolSize,
      processLimit: flags.processLimit,
      cpuTimeLimitSeconds: flags.cpuTimeLimit,
      scratchLimitMb: flags.scratchMb,
      maxOutputChars: flags.maxOutputChars,
      maxImages: flags.maxImages,
      maxImageBytes: Math.round(flags.maxImageMb * 1024 * 1024),
      kernelLane: flags.kernelLane,
      readOnlyPaths: flags.roPath,
    },
    (line) => io.err(`${line}\n`),
  );
  const app = buildSandboxServer(sandbox, { token, maxBodyBytes: Math.round(flags.maxBodyMb * 1024 * 1024) });
  try {
    await app.listen({ host: flags.host, port: flags.port });
  } catch (error) {
    await sandbox.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : flags.port;
  const url = `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${port}`;
  io.out(
    `deepeyes sandbox listening on ${url} (v1: POST /jupyter_sandbox, /clear_session; native: /sessions; ` +
      `isolation ${flags.unsafeNoIsolation ? 'OFF' : 'bubblewrap'}; max ${flags.maxSessions} sessions; ` +
      `memory budget ${Math.round(sandbox.getStats().memory.budgetBytes / 2 ** 20)} MB${token ? '; token required' : ''}` +
      `${flags.roPath.length > 0 ? `; read-only ${flags.roPath.join(', ')}` : ''})\n`,
  );
  return {
    app,
    sandbox,
    url,
    close: async (drainMs = 0) => {
      const closing = app.close();
      await Promise.race([closing, delay(drainMs)]);
      // Calls still running now answer "shutting down" as their kernels stop.
      await sandbox.close();
      // Their connections, kept alive by clients after that answer, would hold the close
      // open until the keep-alive timeout; the answers are out after a moment.
      await Promise.race([closing, delay(1000)]);
      app.server.closeAllConnections();
      await closing;
    },
  };
}

/** `deepeyes sandbox serve …` */
export function registerSandboxCommand(program: Command, io: CliIO = processIO()): void {
  const sandbox = program.command('sandbox').description('the isolated Python kernel sandbox');
  sandbox
    .command('serve')
    .description(
      'serve the sandbox over HTTP: the DeepEyesV2 v1 API (drop-in for the reference sandbox) and a native session API',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8080')
    .option(
      '--max-sessions <n>',
      'open sessions at most; past it the least recently used idle one is evicted',
      '64',
    )
    .option('--session-ttl <seconds>', 'close sessions idle this long', '3600')
    .option('--memory-limit-mb <mb>', 'memory each kernel may allocate', '2048')
    .option(
      '--memory-budget-mb <mb>',
      'memory all kernels together may hold (PSS); past it idle sessions are evicted and new ones refused (default: half the RAM minus the server)',
    )
    .option(
      '--session-wait <seconds>',
      'how long a new session waits for room (session limit or memory budget) before a 503',
      '30',
    )
    .option('--timeout-default <seconds>', 'call budget when the native API request gives none', '30')
    .option('--token <token>', 'require Authorization: Bearer <token> (or set DEEPEYES_SANDBOX_TOKEN)')
    .option('--pool-size <n>', 'kernels kept warm for new sessions', '2')
    .option('--process-limit <n>', 'processes and threads per kernel (fork bombs stop here)', '64')
    .option('--cpu-time-limit <seconds>', 'CPU time one kernel may use over its life', '900')
    .option('--scratch-mb <mb>', "size of each kernel's private scratch dir (also its /tmp)", '256')
    .option(
      '--max-output-chars <n>',
      'characters kept per stream per call; the rest is cut with a marker',
      '100000',
    )
    .option('--max-images <n>', 'images returned per call', '10')
    .option('--max-image-mb <mb>', 'largest image returned', '16')
    .option('--max-body-mb <mb>', 'largest request body (JSON with base64 images, or multipart)', '64')
    .option(
      '--ro-path <dir>',
      'host folder every kernel can read (not write) at the same path, e.g. an eval image folder; repeatable',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option(
      '--drain-timeout <seconds>',
      'on SIGTERM/SIGINT, how long in-flight calls may finish before they are stopped',
      '30',
    )
    .option('--no-kernel-lane', "send shell requests over ZeroMQ only, not the kernel's Unix-socket lane")
    .option('--unsafe-no-isolation', 'run kernels without bubblewrap (only where bwrap is unavailable)')
    .action(async (options: Record<string, unknown>) => {
      const server = await serveSandbox(options as SandboxServeFlags, io);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      const drainSeconds = sandboxServeFlagsSchema.shape.drainTimeout.parse(options.drainTimeout);
      io.err(`deepeyes sandbox: shutting down (in-flight calls get up to ${drainSeconds} s)\n`);
      await server.close(drainSeconds * 1000);
    });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
