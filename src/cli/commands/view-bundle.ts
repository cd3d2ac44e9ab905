import { z } from 'zod';
import { defaultCacheDirectory } from '../../view/run-registry.js';
import { webDistDirectory } from '../../view/web-directory.js';
import { writeBundle } from '../../view/write-bundle.js';
import type { CliIO } from '../io.js';

export const bundleFlagsSchema = z.object({
  directories: z.array(z.string()).min(1, 'give at least one run directory'),
  out: z.string(),
  cacheDir: z.string().optional(),
});

/** `deepeyes view bundle DIR… --out SITE` */
export async function bundleCommand(rawFlags: unknown, io: CliIO) {
  const flags = bundleFlagsSchema.parse(rawFlags);
  const result = await writeBundle({
    directories: flags.directories,
    out: flags.out,
    cacheDirectory: flags.cacheDir ?? defaultCacheDirectory(),
    webDirectory: webDistDirectory(),
    onProgress: (line) => io.err(`${line}\n`),
  });
  io.out(
    `deepeyes view bundle: ${result.runs} runs, ${result.samples} samples, ${result.images} images → ${flags.out}\n`,
  );
  return result;
}
