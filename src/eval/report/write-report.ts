import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
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
  const imageSource =
    options.images === 'link'
      ? async (path: string) => relative(outDirectory, path).split('\\').join('/')
      : async (path: string) => {
          try {
            const bytes = await readFile(path);
            return `data:${MIME[extname(path).toLowerCase()] ?? 'application/octet-stream'};base64,${bytes.toString('base64')}`;
          } catch {
            return '';
          }
        };
  const markdownPath = join(outDirectory, 'report.md');
  const htmlPath = join(outDirectory, 'report.html');
  await writeFile(markdownPath, renderMarkdownReport(runs, generatedAt));
  await writeFile(htmlPath, await renderHtmlReport(runs, { generatedAt, imageSource }));
  return { markdownPath, htmlPath, runs };
}
