import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { InputFormatError, UserError } from '../../errors.js';
import type { IndexedImage } from './image-index.js';

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.gif', '.tif', '.tiff', '.avif']);

const imageRecordSchema = z.object({
  path: z.string().min(1),
  title: z.string(),
  link: z.string().min(1),
});

/**
 * Pictures to index from a folder (title = file name, link = `file://` URL) or from a JSONL file of
 * `{path, title, link}` (paths relative to the JSONL file).
 */
export async function* readImageSet(source: string): AsyncGenerator<IndexedImage> {
  const info = await stat(source).catch((cause: unknown) => {
    throw new UserError('images-not-found', `cannot read image set ${source}`, { cause });
  });
  if (info.isDirectory()) {
    const names = (await readdir(source))
      .filter((name) => IMAGE_EXTENSIONS.has(extname(name).toLowerCase()))
      .sort();
    for (const name of names) {
      const path = resolve(source, name);
      yield {
        key: path,
        title: basename(name, extname(name)).replace(/[-_]+/g, ' '),
        link: pathToFileURL(path).href,
        bytes: await readFile(path),
      };
    }
    return;
  }
  const lines = (await readFile(source, 'utf8')).split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (cause) {
      throw new InputFormatError('image-set-row', `${source}:${index + 1} is not valid JSON`, { cause });
    }
    const record = imageRecordSchema.safeParse(raw);
    if (!record.success) {
      throw new InputFormatError(
        'image-set-row',
        `${source}:${index + 1} needs path, title and link: ${record.error.issues[0]?.message}`,
      );
    }
    const path = resolve(dirname(source), record.data.path);
    const bytes = await readFile(path).catch((cause: unknown) => {
      throw new InputFormatError('image-set-file', `${source}:${index + 1}: cannot read ${path}`, { cause });
    });
    yield { key: record.data.link, title: record.data.title, link: record.data.link, bytes };
  }
}

export const isImageFile = (path: string): boolean => IMAGE_EXTENSIONS.has(extname(path).toLowerCase());
