import type { Command } from 'commander';
import { z } from 'zod';
import type { SearchTools } from '../../env/episode.js';
import { gateSandbox } from '../../env/session-gate.js';
import { UserError } from '../../errors.js';
import { repairCodeUpstream } from '../../protocol/code-repair.js';
import { openRewardSetup, type RewardSetup } from '../../reward/reward-setup.js';
import { Autopep8Formatter } from '../../sandbox/autopep8.js';
import { createLocalSandbox } from '../../sandbox/kernel-sandbox.js';
import { createSearchTools, IMAGE_PROVIDERS, TEXT_PROVIDERS } from '../../search/create-search-tools.js';
import { buildEnvServer } from '../../serve/env-server.js';
import { type CliIO, processIO } from '../io.js';

const envServeFlagsSchema = z.object({
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8010),
  maxEpisodes: z.coerce.number().int().positive().default(4096),
  idleTtl: z.coerce.number().positive().default(600),
  maxSandboxSessions: z.coerce.number().int().positive().default(64),
  sandboxWait: z.coerce.number().positive().default(3600),
  poolSize: z.coerce.number().int().min(0).max(64).default(4),
  searchProvider: z.enum(TEXT_PROVIDERS).default('local'),
  imageSearchProvider: z.enum(IMAGE_PROVIDERS).optional(),
  searchIndex: z.string().optional(),
  imageIndex: z.string().optional(),
  imageSearchCacheFile: z.string().optional(),
  searchCache: z.string().optional(),
  searchCacheMode: z.enum(['record', 'replay', 'off']).default('record'),
  judgeUrl: z.string().optional(),
  judgeModel: z.string().optional(),
  judgeApiKey: z.string().optional(),
  sympy: z.boolean().default(true),
  unsafeNoIsolation: z.boolean().optional(),
});
export type EnvServeFlags = z.input<typeof envServeFlagsSchema>;

/** Starts `env serve`; returns its URL and one `close` for the server, kernels, search and judge. */
export async function serveEnv(
  rawFlags: unknown,
  io: CliIO,
): Promise<{ url: string; close(): Promise<void> }> {
  const parsed = envServeFlagsSchema.safeParse(rawFlags);
  if (!parsed.success) {
    throw new UserError('env-flags', `Invalid env serve options: ${z.prettifyError(parsed.error)}`, {
      hint: 'See deepeyes env serve --help.',
    });
  }
  const flags = parsed.data;
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closeOne of closers.reverse()) await closeOne().catch(() => undefined);
  };
  try {
    const kernels = await createLocalSandbox(
      {
        isolation: !flags.unsafeNoIsolation,
        poolSize: flags.poolSize,
        maxSessions: flags.maxSandboxSessions,
      },
      (line) => io.err(`sandbox: ${line}\n`),
    );
    closers.push(() => kernels.close());
    const sandbox = gateSandbox(kernels, flags.maxSandboxSessions, Math.round(flags.sandboxWait * 1000));
    const search = await createSearchTools({
      text: flags.searchProvider,
      image: flags.imageSearchProvider ?? (flags.imageSearchCacheFile ? 'cache' : 'local'),
      ...(flags.searchIndex ? { textIndexPath: flags.searchIndex } : {}),
      ...(flags.imageIndex ? { imageIndexPath: flags.imageIndex } : {}),
      ...(flags.imageSearchCacheFile ? { imageCacheFiles: [flags.imageSearchCacheFile] } : {}),
      cache: { mode: flags.searchCacheMode, ...(flags.searchCache ? { path: flags.searchCache } : {}) },
    });
    closers.push(async () => search.close());
    const formatter = new Autopep8Formatter();
    closers.push(async () => formatter.close());
    const rewards: Partial<Record<'deepeyesv2' | 'upstream-rl', RewardSetup>> = {};
    for (const profile of ['deepeyesv2', 'upstream-rl'] as const) {
      const setup = await openRewardSetup({
        profile,
        sympy: flags.sympy,
        ...(flags.unsafeNoIsolation ? { unsafeNoIsolation: true } : {}),
        ...(flags.judgeUrl ? { judgeUrls: flags.judgeUrl.split(',').map((url) => url.trim()) } : {}),
        ...(flags.judgeModel ? { judgeModel: flags.judgeModel } : {}),
        ...(flags.judgeApiKey ? { judgeApiKey: flags.judgeApiKey } : {}),
      });
      closers.push(() => setup.close());
      rewards[profile] = setup;
    }
    const searchName: string = flags.searchProvider;
    const searchTools: Record<string, SearchTools> = {
      [searchName]: { text: search.text, image: search.image },
    };
    const { app } = buildEnvServer(
      {
        sandbox,
        searchTools,
        defaultSearch: searchName,
        upstreamRepair: (code) => repairCodeUpstream(code, formatter.fixCode),
        scorers: { deepeyesv2: rewards.deepeyesv2?.scorer, 'upstream-rl': rewards['upstream-rl']?.scorer },
      },
      {
        capacity: flags.maxEpisodes,
        idleTtlMs: Math.round(flags.idleTtl * 1000),
        sandboxStats: sandbox.stats,
        lastSaturatedAt: sandbox.lastSaturatedAt,
        settings: {
          maxEpisodes: flags.maxEpisodes,
          idleTtlSeconds: flags.idleTtl,
          maxSandboxSessions: flags.maxSandboxSessions,
          sandboxWaitSeconds: flags.sandboxWait,
          poolSize: flags.poolSize,
          isolation: !flags.unsafeNoIsolation,
          search: search.describe(),
          searchProvider: searchName,
          searchCacheMode: flags.searchCacheMode,
          ...(flags.searchCache ? { searchCache: flags.searchCache } : {}),
          ...(flags.imageSearchCacheFile ? { imageSearchCacheFile: flags.imageSearchCacheFile } : {}),
          judge: rewards.deepeyesv2?.judgeName ?? null,
          judgeApiKey: flags.judgeApiKey ? 'set' : 'unset',
          sympy: flags.sympy,
        },
      },
    );
    closers.push(() => app.close());
    const url = await app.listen({ host: flags.host, port: flags.port });
    io.err(
      `deepeyes env serving on ${url} (POST /episodes, /episodes/{id}/step, /episodes/{id}/finish; ` +
        `${flags.maxEpisodes} episodes, ${flags.maxSandboxSessions} sandbox sessions, search: ${searchName}, ` +
        `${rewards.deepeyesv2?.judgeName ? `judge ${rewards.deepeyesv2.judgeName}` : 'no judge: rule verifiers decide'})\n`,
    );
    return { url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** `deepeyes env serve`. */
export function registerEnvCommands(program: Command, io: CliIO = processIO()): void {
  const env = program.command('env').description('the DeepEyesV2 RL environment, served to RL trainers');
  env
    .command('serve')
    .description(
      'serve RL episodes over HTTP: POST /episodes → prompt; POST /episodes/{id}/step → observation; POST /episodes/{id}/finish → reward',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8010')
    .option('--max-episodes <n>', 'open episodes at most; more answer 429 + Retry-After', '4096')
    .option('--idle-ttl <seconds>', 'close an episode after this long without a request', '600')
    .option('--max-sandbox-sessions <n>', 'kernels open at once; episodes beyond wait for one', '64')
    .option(
      '--sandbox-wait <seconds>',
      'longest an episode waits for a free kernel (a 4,096-episode RL step keeps the last ones waiting for most of the step)',
      '3600',
    )
    .option('--pool-size <n>', 'kernels kept warm', '4')
    .option('--search-provider <name>', `text search: ${TEXT_PROVIDERS.join('|')}`, 'local')
    .option('--image-search-provider <name>', `image search: ${IMAGE_PROVIDERS.join('|')}`)
    .option('--search-index <file>', 'offline text index (default: the bundled demo corpus)')
    .option('--image-index <file>', 'offline image index (default: the bundled demo images)')
    .option('--image-search-cache-file <file>', 'replay a DeepEyesV2/MMSearch-R1 image-search cache')
    .option('--search-cache <file>', 'SQLite cache of online search results')
    .option('--search-cache-mode <mode>', 'record|replay|off', 'record')
    .option(
      '--judge-url <url[,url...]>',
      'OpenAI-compatible judge for finish; without one rule verifiers decide',
    )
    .option('--judge-model <name>', 'judge model name (default: the first the server lists)')
    .option('--judge-api-key <key>', 'judge API key (default: $OPENAI_API_KEY)')
    .option('--no-sympy', 'do not start a sandbox for symbolic math equivalence in the reward')
    .option('--unsafe-no-isolation', 'run kernels without bubblewrap (only where bwrap is unavailable)')
    .action(async (options: Record<string, unknown>) => {
      const server = await serveEnv(options, io);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      io.err('deepeyes env: shutting down\n');
      await server.close();
    });
}
