import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { z } from 'zod';
import { UserError } from '../../errors.js';
import { buildAtomically } from '../../search/build-atomically.js';
import { ImageIndex } from '../../search/image/image-index.js';
import { readImageSet } from '../../search/image/read-image-set.js';
import {
  type BuildProgress,
  type BuildTextIndexResult,
  buildTextIndex,
} from '../../search/text/build-text-index.js';
import { TextIndex } from '../../search/text/text-index.js';
import type { CliIO } from '../io.js';

const indexFlagsSchema = z
  .object({
    corpus: z.string().optional(),
    images: z.string().optional(),
    out: z.string().min(1),
    optimize: z.boolean().optional(),
  })
  .refine((flags) => Boolean(flags.corpus) !== Boolean(flags.images), {
    message: 'give exactly one of --corpus or --images',
  });

export type IndexCommandResult =
  | ({ kind: 'text' } & BuildTextIndexResult)
  | {
      kind: 'image';
      added: number;
      replaced: number;
      replacedIds: string[];
      total: number;
      elapsedMs: number;
    };

/**
 * `deepeyes index build|add`: a text index from a JSONL/parquet corpus, or an image index from a
 * folder or a JSONL of {path, title, link}. `add` appends to an existing index (same id/link:
 * replaced); `build` creates it if needed.
 */
export async function indexCommand(
  action: 'build' | 'add',
  rawFlags: unknown,
  io: CliIO,
): Promise<IndexCommandResult> {
  const flags = indexFlagsSchema.parse(rawFlags);
  const started = performance.now();
  if (flags.corpus) {
    if (action === 'add') assertExists(flags.out);
    const result = await buildTextIndex({
      corpus: flags.corpus,
      out: flags.out,
      ...(flags.optimize !== undefined ? { optimize: flags.optimize } : {}),
      onProgress: progressBar(io),
    });
    if (io.interactive) io.err('\n');
    io.out(
      `${flags.out}: ${result.passages} passages read, ${result.added} new, ${result.replaced} replaced, ` +
        `${result.total} in the index ` +
        `(${(result.elapsedMs / 1000).toFixed(1)} s, ${Math.round(result.passagesPerSecond)} passages/s)\n`,
    );
    if (result.replaced > 0) {
      io.err(
        `warning: ${result.replaced} passages had an id already seen (earlier in the corpus or in the index); ` +
          `the later one was kept. First: ${result.replacedIds.join(', ')}${result.replaced > result.replacedIds.length ? ', …' : ''}\n`,
      );
    }
    return { kind: 'text', ...result };
  }
  if (action === 'add') assertExists(flags.out);
  return buildAtomically(flags.out, async (path) => {
    const index = ImageIndex.open(path, { create: true });
    try {
      const replacedIds: string[] = [];
      const added = await index.add(readImageSet(flags.images!), (key) => replacedIds.push(key));
      const total = index.stats().images;
      const elapsedMs = performance.now() - started;
      io.out(
        `${flags.out}: ${added} pictures indexed, ${replacedIds.length} replaced, ${total} in the index (${(elapsedMs / 1000).toFixed(1)} s)\n`,
      );
      if (replacedIds.length > 0) {
        // The same wording as the text index: a key (file path or link) seen twice keeps the later picture.
        const first = replacedIds.slice(0, 5);
        io.err(
          `warning: ${replacedIds.length} pictures had a key (path or link) already seen (earlier in the set or in the index); ` +
            `the later one was kept. First: ${first.join(', ')}${replacedIds.length > first.length ? ', …' : ''}\n`,
        );
      }
      return {
        kind: 'image' as const,
        added,
        replaced: replacedIds.length,
        replacedIds: replacedIds.slice(0, 5),
        total,
        elapsedMs,
      };
    } finally {
      index.close();
    }
  });
}

/**
 * `deepeyes index optimize --index FILE`: merges a text index's FTS5 segments and refreshes its
 * common-word counts. For an index grown by many small `add`s, or built before word counts
 * existed (queries then count common words themselves, which is slower).
 */
export function optimizeCommand(rawFlags: unknown, io: CliIO): { passages: number; elapsedMs: number } {
  const flags = z.object({ index: z.string().min(1) }).parse(rawFlags);
  assertExists(flags.index, 'to optimize');
  const started = performance.now();
  const index = TextIndex.open(flags.index);
  try {
    index.optimize();
    const passages = index.stats().passages;
    const counted = index.hasWordCounts();
    const elapsedMs = performance.now() - started;
    io.out(
      `${flags.index}: ${passages} passages, segments merged, common-word counts ${counted ? 'stored' : 'missing'} ` +
        `(${(elapsedMs / 1000).toFixed(1)} s)\n`,
    );
    return { passages, elapsedMs };
  } finally {
    index.close();
  }
}

function assertExists(path: string, purpose = 'to add to'): void {
  // A missing index here is almost always a typo in the path.
  if (!existsSync(path)) {
    throw new UserError('index-not-found', `no index at ${path} ${purpose}`, {
      hint: 'use `deepeyes index build` to create one',
    });
  }
}

/** A one-line progress bar on stderr when it is a terminal; silent otherwise. */
function progressBar(io: CliIO): (progress: BuildProgress) => void {
  return (progress) => {
    if (!io.interactive) return;
    const width = 30;
    const filled = Math.round(progress.fraction * width);
    const rate = progress.passages / Math.max(progress.elapsedMs / 1000, 1e-3);
    io.err(
      `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(progress.fraction * 100).toFixed(0).padStart(3)}% ${progress.passages} passages, ${Math.round(rate)}/s`,
    );
  };
}

export function indexCommands(io: CliIO): Command {
  const index = new Command('index').description(
    'build and extend offline search indexes (text: SQLite FTS5 BM25; images: near-duplicate)',
  );
  for (const action of ['build', 'add'] as const) {
    index.addCommand(
      new Command(action)
        .description(
          action === 'build'
            ? 'create an index (or extend it) from a corpus or an image set'
            : 'add passages or pictures to an existing index',
        )
        .option('--corpus <file>', 'passages: .jsonl or .parquet with id, title, text (optional url, date)')
        .option('--images <dir|file.jsonl>', 'pictures: a folder, or JSONL lines {path, title, link}')
        .requiredOption('--out <index>', 'the index file (SQLite)')
        .option('--optimize', 'merge index segments at the end (default: on a fresh build)')
        .option('--no-optimize', 'skip the merge')
        .action(async (flags) => {
          await indexCommand(action, flags, io);
        }),
    );
  }
  index.addCommand(
    new Command('optimize')
      .description("merge a text index's segments and refresh its common-word counts (after many adds)")
      .requiredOption('--index <index>', 'the text index file (SQLite)')
      .action((flags) => {
        optimizeCommand(flags, io);
      }),
  );
  return index;
}
