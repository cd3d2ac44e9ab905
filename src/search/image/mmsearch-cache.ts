import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { InputFormatError, UserError } from '../../errors.js';
import { SearchProviderError } from '../search-errors.js';
import type { ImageSearchHit, ImageSearchProvider, SearchOptions } from '../search-provider.js';

/**
 * The DeepEyesV2 / MMSearch-R1 image-search cache: a JSON object from training-item id
 * (`fvqa_train_…`) to the titles and cached picture paths a real reverse search once returned.
 */
const cacheSchema = z.record(
  z.string(),
  z.object({
    tool_returned_web_title: z.array(z.string().nullable()),
    cached_images_path: z.array(z.string().nullable()),
  }),
);
export type MmsearchCache = z.infer<typeof cacheSchema>;

export type MmsearchCacheOptions = {
  /** Relative picture paths resolve against this folder. Default: the folder of the first cache file. */
  imageRoot?: string;
};

/**
 * Replays the cache as an `ImageSearchProvider`. The cache is keyed by item, not by picture, so
 * callers pass `options.itemId`. As upstream, results whose picture path is null or missing are
 * dropped; unlike upstream, any item id works (upstream answers only ids containing `fvqa`), and
 * a missing entry is a provider error (the agent turns it into an error observation).
 */
export class MmsearchCacheImageSearch implements ImageSearchProvider {
  readonly name = 'mmsearch-cache';
  private readonly entries: MmsearchCache;
  private readonly imageRoot: string;

  constructor(cacheFiles: string[], options: MmsearchCacheOptions = {}) {
    if (cacheFiles.length === 0)
      throw new UserError('image-cache-missing', 'no image-search cache file given');
    this.entries = {};
    for (const file of cacheFiles) Object.assign(this.entries, loadCache(file));
    this.imageRoot = options.imageRoot ?? dirname(resolve(cacheFiles[0]!));
  }

  get size(): number {
    return Object.keys(this.entries).length;
  }

  async searchImage(_image: Uint8Array, options: SearchOptions = {}): Promise<ImageSearchHit[]> {
    if (options.itemId === undefined) {
      throw new SearchProviderError(
        this.name,
        'the MMSearch-R1 cache is keyed by dataset item; no item id was given',
        {
          hint: 'run on a dataset whose items carry ids (extra_info.index), or use the local image index',
        },
      );
    }
    const entry = this.entries[options.itemId];
    if (!entry) throw new SearchProviderError(this.name, `no cached image search for item ${options.itemId}`);
    const hits: ImageSearchHit[] = [];
    for (const [index, path] of entry.cached_images_path.entries()) {
      if (path === null) continue;
      const absolute = isAbsolute(path) ? path : resolve(this.imageRoot, path);
      if (!existsSync(absolute)) continue;
      const image = new Uint8Array(await readFile(absolute));
      hits.push({ title: entry.tool_returned_web_title[index] ?? '', link: absolute, image });
    }
    return hits.slice(0, options.limit ?? hits.length);
  }
}

function loadCache(file: string): MmsearchCache {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new UserError('image-cache-unreadable', `cannot read image-search cache ${file}`, { cause });
  }
  const parsed = cacheSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputFormatError(
      'image-cache-format',
      `${file} is not an MMSearch-R1 image-search cache: ${parsed.error.issues[0]?.message}`,
      {
        hint: 'expected {"<item id>": {"tool_returned_web_title": [...], "cached_images_path": [...]}}',
      },
    );
  }
  return parsed.data;
}
