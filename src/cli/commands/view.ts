import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { defaultCacheDirectory } from '../../view/run-registry.js';
import { createViewServer } from '../../view/view-server.js';
import { webDistDirectory } from '../../view/web-directory.js';
import { type CliIO, processIO } from '../io.js';

export const viewFlagsSchema = z.object({
  directories: z.array(z.string()).default(['runs']),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(7575),
  cacheDir: z.string().optional(),
});
export type ViewFlags = z.input<typeof viewFlagsSchema>;

function checkDirectories(directories: string[]): void {
  for (const directory of directories) {
    if (!existsSync(directory) || !statSync(directory).isDirectory())
      throw new UserError('view-not-a-directory', `${directory} is not a directory`, {
        hint: 'pass run directories (the --out of deepeyes eval, a curation or metrics folder, or a folder of trajectory JSONL)',
      });
  }
}

/** Starts the viewer; the caller owns `close()`. */
export async function serveView(rawFlags: ViewFlags, io: CliIO) {
  const flags = viewFlagsSchema.parse(rawFlags);
  checkDirectories(flags.directories);
  const { app } = createViewServer({
    directories: flags.directories,
    cacheDirectory: flags.cacheDir ?? defaultCacheDirectory(),
    webDirectory: webDistDirectory(),
  });
  await app.listen({ host: flags.host, port: flags.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : flags.port;
  const url = `http://${flags.host.includes(':') ? `[${flags.host}]` : flags.host}:${port}/`;
  io.out(`deepeyes view on ${url} over ${flags.directories.join(', ')} (Ctrl-C stops it)\n`);
  if (!existsSync(webDistDirectory()))
    io.err(
      'deepeyes view: the front end is not built; run `npm run build:web` (the JSON API works meanwhile)\n',
    );
  return { app, url, close: () => app.close() };
}

/** `deepeyes view [DIR…]` and `deepeyes view bundle DIR… --out SITE`. */
export function registerViewCommand(program: Command, io: CliIO = processIO()): void {
  const view = program
    .command('view')
    .description(
      'a web app over run directories: runs, samples, trajectories, comparisons, curation, training',
    )
    .argument('[dirs...]', 'run directories, or folders holding them (default: runs)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '7575')
    .option('--cache-dir <dir>', 'where search indexes are kept (default: ~/.cache/deepeyes/view)')
    .action(async (dirs: string[], options: Record<string, unknown>) => {
      const server = await serveView(
        { ...options, ...(dirs.length ? { directories: dirs } : {}) } as ViewFlags,
        io,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await server.close();
    });
  view
    .command('bundle')
    .description('write a static site of the runs (works from any static file server, no range requests)')
    .argument('<dirs...>', 'run directories, or folders holding them')
    .requiredOption('--out <dir>', 'folder to write the site into')
    .option('--cache-dir <dir>', 'where search indexes are kept (default: ~/.cache/deepeyes/view)')
    .action(async (dirs: string[], options: Record<string, unknown>) => {
      const { bundleCommand } = await import('./view-bundle.js');
      await bundleCommand({ ...options, directories: dirs }, io);
    });
}
