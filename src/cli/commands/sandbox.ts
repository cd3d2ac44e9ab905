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
  /** Seconds; the native API's default call budget (the v1 API keeps the reference's 5 s default). */
  timeoutDefault: z.coerce.number().positive().default(30),
  token: z.string().min(1).optional(),
  unsafeNoIsolation: z.boolean().default(false),
  poolSize: integer(0).max(64).default(2),
});
export type SandboxServeFlags = z.input<typeof sandboxServeFlagsSchema>;

export type RunningSandboxServer = {
  app: FastifyInstance;
  sandbox: KernelSandbox;
  /** `http://host:port` it listens on. */
  url: string;
  close(): Promise<void>;
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
      defaultTimeoutMs: Math.round(flags.timeoutDefault * 1000),
      poolSize: flags.poolSize,
    },
    (line) => io.err(`${line}\n`),
  );
  const app = buildSandboxServer(sandbox, { token });
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
      `isolation ${flags.unsafeNoIsolation ? 'OFF' : 'bubblewrap'}; max ${flags.maxSessions} sessions${token ? '; token required' : ''})\n`,
  );
  return {
    app,
    sandbox,
    url,
    close: async () => {
      await app.close();
      await sandbox.close();
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
    .option('--max-sessions <n>', 'open sessions at most; more answer 503', '64')
    .option('--session-ttl <seconds>', 'close sessions idle this long', '3600')
    .option('--memory-limit-mb <mb>', 'memory each kernel may allocate', '2048')
    .option('--timeout-default <seconds>', 'call budget when the native API request gives none', '30')
    .option('--token <token>', 'require Authorization: Bearer <token> (or set DEEPEYES_SANDBOX_TOKEN)')
    .option('--pool-size <n>', 'kernels kept warm for new sessions', '2')
    .option('--unsafe-no-isolation', 'run kernels without bubblewrap (only where bwrap is unavailable)')
    .action(async (options: Record<string, unknown>) => {
      const server = await serveSandbox(options as SandboxServeFlags, io);
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      io.err('deepeyes sandbox: shutting down\n');
      await server.close();
    });
}
