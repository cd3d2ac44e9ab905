import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, extname, join, relative, resolve } from 'node:path';
import { distinctLabels, type LoadedRun, loadRun } from './load-run.js';
import { renderHtmlReport } from './render-html.js';
import { renderMarkdownReport } from './render-markdown.js';

export type WriteReportOptions = {
  runDirectories: string[];
  /** Where report.md and report.html go; default: the first run directory. */
  outDirectory?: string;
  /** inline (default): images as data URIs, one file to share; link: relative paths, a smaller file. */
  images?: 'inline' | 'link';
  now?: () => Date;
  /** Applied to each run after loading (re-scoring in another mode: `deepeyes report --scoring`). */
  transformRun?: (run: LoadedRun) => Promise<LoadedRun>;
};

const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
};

/** Longest side of an inlined image: the report shows thumbnails, the files keep full resolution. */
const THUMBNAIL_PIXELS = 480;

/**
 * A small inline copy of an image: a benchmark input can be a 8K photo, and a report of a few
 * hundred items inlining those would be GBs. Small images are inlined as they are.
 */
export async function thumbnailDataUri(path: string): Promise<string> {
  const bytes = await readFile(path);
  if (bytes.length <= 64 * 1024) {
    return `data:${MIME[extname(path).toLowerCase()] ?? 'application/octet-stream'};base64,${bytes.toString('base64')}`;
  }
  const { default: sharp } = await import('sharp');
  const thumbnail = await sharp(bytes)
    .resize(THUMBNAIL_PIXELS, THUMBNAIL_PIXELS, { fit: 'inside', withoutEnlargement: true })
    .jpeg({ quality: 80 })
    .toBuffer();
  return `data:image/jpeg;base64,${thumbnail.toString('base64')}`;
}

/** Folder next to report.html holding the full-resolution images its thumbnails link to. */
export const REPORT_IMAGES = 'report-images';

/**
 * The full-resolution image next to the report (`report-images/<path hash>-<name>`): a hard link to the
 * run's file where the file system allows, else a copy, so the report folder can be moved or shared
 * without inlining multi-MB inputs into report.html.
 */
export async function exportFullImage(path: string, outDirectory: string): Promise<string> {
  const directory = join(outDirectory, REPORT_IMAGES);
  const target = join(
    directory,
    `${createHash('sha1').update(resolve(path)).digest('hex').slice(0, 12)}-${basename(path)}`,
  );
  await mkdir(directory, { recursive: true });
  try {
    await link(path, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return target;
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'ENOTSUP') throw error;
    await copyFile(path, target);
  }
  return target;
}

/** Loads the runs and writes report.md and report.html; returns their paths and the runs. */
export async function writeReport(
  options: WriteReportOptions,
): Promise<{ markdownPath: string; htmlPath: string; runs: LoadedRun[] }> {
  const loaded = options.runDirectories.map((directory) => loadRun(directory));
  const transform = options.transformRun;
  const runs = distinctLabels(transform ? await Promise.all(loaded.map((run) => transform(run))) : loaded);
  const outDirectory = resolve(options.outDirectory ?? options.runDirectories[0]!);
  await mkdir(outDirectory, { recursive: true });
  const generatedAt = (options.now?.() ?? new Date()).toISOString();
  const linkTo = (path: string) => relative(outDirectory, path).split('\\').join('/');
  const imageSource =
    options.images === 'link'
      ? async (path: string) => ({ src: linkTo(path), href: linkTo(path) })
      : async (path: string) => {
          try {
            const [src, full] = await Promise.all([
              thumbnailDataUri(path),
              exportFullImage(path, outDirectory),
            ]);
            return { src, href: linkTo(full) };
          } catch {
            return { src: '' };
          }
        };
  const markdownPath = join(outDirectory, 'report.md');
  const htmlPath = join(outDirectory, 'report.html');
  await writeFile(markdownPath, renderMarkdownReport(runs, generatedAt));
  await writeFile(htmlPath, await renderHtmlReport(runs, { generatedAt, imageSource }));
  return { markdownPath, htmlPath, runs };
}
