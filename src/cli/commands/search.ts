import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { createSearchTools, IMAGE_PROVIDERS, TEXT_PROVIDERS } from '../../search/create-search-tools.js';
import { cropForImageSearch } from '../../search/image/crop-for-search.js';
import { CACHE_MODES } from '../../search/search-cache.js';
import type { ImageSearchHit, SearchHit } from '../../search/search-provider.js';
import { type CliIO, processIO } from '../io.js';
import { indexCommands } from './index-build.js';

const searchFlagsSchema = z
  .object({
    query: z.string().optional(),
    image: z.string().optional(),
    crop: z
      .string()
      .regex(/^\s*[\d.]+\s*,\s*[\d.]+\s*,\s*[\d.]+\s*,\s*[\d.]+\s*$/, 'expected x1,y1,x2,y2')
      .transform((text) => text.split(',').map(Number) as [number, number, number, number])
      .optional(),
    index: z.string().optional(),
    imageIndex: z.string().optional(),
    provider: z.enum(TEXT_PROVIDERS).optional(),
    imageProvider: z.enum(IMAGE_PROVIDERS).optional(),
    imageCache: z.string().optional(),
    itemId: z.string().optional(),
    cache: z.string().optional(),
    cacheMode: z.enum(CACHE_MODES).default('record'),
    limit: z.coerce.number().int().positive().default(5),
    json: z.boolean().default(false),
  })
  .refine((flags) => Boolean(flags.query) !== Boolean(flags.image), {
    message: 'give exactly one of --query or --image',
  });

export type SearchCommandResult = {
  provider: string;
  hits: Array<SearchHit | Omit<ImageSearchHit, 'image'>>;
};

/** `deepeyes search`: one query against the configured provider, for a quick look at an index or a key. */
export async function searchCommand(
  rawFlags: unknown,
  io: CliIO,
  env: Record<string, string | undefined> = process.env,
): Promise<SearchCommandResult> {
  const flags = searchFlagsSchema.parse(rawFlags);
  const tools = await createSearchTools(
    {
      text: flags.query ? (flags.provider ?? 'local') : 'none',
      image: flags.image ? (flags.imageProvider ?? (flags.imageCache ? 'cache' : 'local')) : 'none',
      ...(flags.index ? { textIndexPath: flags.index } : {}),
      ...(flags.imageIndex ? { imageIndexPath: flags.imageIndex } : {}),
      ...(flags.imageCache ? { imageCacheFiles: [flags.imageCache] } : {}),
      cache: { mode: flags.cacheMode, ...(flags.cache ? { path: flags.cache } : {}) },
    },
    env,
  );
  try {
    if (flags.query) {
      const hits = await tools.text.search(flags.query, { limit: flags.limit });
      print(io, flags.json, tools.text.name, hits, (hit, rank) => {
        const date = hit.date ? `  (${hit.date})` : '';
        return `${rank}. ${hit.title}${date}\n   ${hit.link}\n${hit.snippet ? `   ${hit.snippet}\n` : ''}`;
      });
      return { provider: tools.text.name, hits };
    }
    let picture: Uint8Array = await readFile(flags.image!).catch((cause: unknown) => {
      throw new UserError('image-not-found', `cannot read ${flags.image}`, { cause });
    });
    if (flags.crop)
      picture = await cropForImageSearch(picture, flags.crop, {
        normalized: flags.crop.every((value) => value <= 1),
      });
    const hits = (
      await tools.image.searchImage(picture, {
        limit: flags.limit,
        ...(flags.itemId ? { itemId: flags.itemId } : {}),
      })
    ).map(({ title, link, image }) => ({ title, link, ...(image ? { imageBytes: image.length } : {}) }));
    print(io, flags.json, tools.image.name, hits, (hit, rank) => `${rank}. ${hit.title}\n   ${hit.link}\n`);
    return { provider: tools.image.name, hits: hits.map(({ title, link }) => ({ title, link })) };
  } finally {
    tools.close();
  }
}

function print<T>(
  io: CliIO,
  json: boolean,
  provider: string,
  hits: T[],
  line: (hit: T, rank: number) => string,
): void {
  if (json) {
    io.out(`${JSON.stringify({ provider, hits }, null, 2)}\n`);
    return;
  }
  io.out(`${hits.length} result(s) from ${provider}\n`);
  hits.forEach((hit, index) => {
    io.out(line(hit, index + 1));
  });
}

/** Registers `deepeyes index build|add` and `deepeyes search`. */
export function registerSearchCommands(program: Command, io: CliIO = processIO()): void {
  registerIndexCommand(program, io);
  registerSearchCommand(program, io);
}

/** Registers `deepeyes index build|add`. */
export function registerIndexCommand(program: Command, io: CliIO = processIO()): void {
  program.addCommand(indexCommands(io));
}

/** Registers `deepeyes search`. */
export function registerSearchCommand(program: Command, io: CliIO = processIO()): void {
  program.addCommand(
    new Command('search')
      .description(
        'run one text or image search (default: the offline index; the bundled demo corpus if none is given)',
      )
      .option('--query <text>', 'text search')
      .option('--image <file>', 'image search with this picture')
      .option('--crop <x1,y1,x2,y2>', 'search with a region of --image (pixels, or 0–1 fractions)')
      .option('--index <file>', 'offline text index (from `deepeyes index build --corpus`)')
      .option('--image-index <file>', 'offline image index (from `deepeyes index build --images`)')
      .option('--provider <name>', `text provider: ${TEXT_PROVIDERS.join('|')}`)
      .option('--image-provider <name>', `image provider: ${IMAGE_PROVIDERS.join('|')}`)
      .option(
        '--image-cache <file>',
        'replay a DeepEyesV2/MMSearch-R1 image-search cache JSON (needs --item-id)',
      )
      .option('--item-id <id>', 'dataset item id, for the MMSearch-R1 cache')
      .option('--cache <file>', 'search cache (SQLite) for online providers')
      .option('--cache-mode <mode>', CACHE_MODES.join('|'), 'record')
      .option('--limit <n>', 'results wanted', '5')
      .option('--json', 'print JSON')
      .action(async (flags) => {
        await searchCommand(flags, io);
      }),
  );
}
