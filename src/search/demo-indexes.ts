import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAtomically } from './build-atomically.js';
import { ImageIndex } from './image/image-index.js';
import { readImageSet } from './image/read-image-set.js';
import { buildTextIndex } from './text/build-text-index.js';

/** The bundled demo corpus and image set (see scripts/make-demo-search-assets.ts). */
export const DEMO_SEARCH_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../assets/demo/search');

/** `$DEEPEYES_CACHE_DIR`, else `$XDG_CACHE_HOME/deepeyes`, else `~/.cache/deepeyes`. */
export function defaultCacheDir(env: Record<string, string | undefined> = process.env): string {
  if (env.DEEPEYES_CACHE_DIR) return resolve(env.DEEPEYES_CACHE_DIR);
  return join(env.XDG_CACHE_HOME ? resolve(env.XDG_CACHE_HOME) : join(homedir(), '.cache'), 'deepeyes');
}

export type DemoIndexPaths = { textIndex: string; imageIndex: string };

/**
 * Builds the demo indexes into the cache dir on first use (about a second) and reuses them after.
 * File names carry a hash of the assets, so edited assets get fresh indexes. Builds go to a
 * temporary name and are renamed into place, so concurrent first runs never see half an index.
 */
export async function ensureDemoIndexes(
  cacheDir: string,
  assetsDir = DEMO_SEARCH_DIR,
): Promise<DemoIndexPaths> {
  const corpus = join(assetsDir, 'corpus.jsonl');
  const images = join(assetsDir, 'images.jsonl');
  const folder = join(cacheDir, 'demo-search');
  mkdirSync(folder, { recursive: true });
  const textIndex = join(folder, `text-${digest([corpus])}.sqlite`);
  const imageFiles = readFileSync(images, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => resolve(assetsDir, (JSON.parse(line) as { path: string }).path));
  const imageIndex = join(folder, `images-${digest([images, ...imageFiles])}.sqlite`);
  if (!existsSync(textIndex)) {
    await buildTextIndex({ corpus, out: textIndex }); // builds on a copy and moves it into place
  }
  if (!existsSync(imageIndex)) {
    await buildAtomically(imageIndex, async (temporary) => {
      const index = ImageIndex.open(temporary, { create: true });
      try {
        await index.add(readImageSet(images));
      } finally {
        index.close();
      }
    });
  }
  return { textIndex, imageIndex };
}

function digest(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(readFileSync(file));
  return hash.digest('hex').slice(0, 12);
}
