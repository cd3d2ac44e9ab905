import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { ImageIndex } from './image/image-index.js';
import { TextIndex } from './text/text-index.js';

const dir = mkdtempSync(join(tmpdir(), 'index-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('opening index files (text and image alike)', () => {
  it('refuses a text index given as an image index, and the reverse, saying how to build the right one', () => {
    const textPath = join(dir, 'text.sqlite');
    const imagePath = join(dir, 'images.sqlite');
    TextIndex.open(textPath, { create: true }).close();
    ImageIndex.open(imagePath, { create: true }).close();
    expect(() => ImageIndex.open(textPath)).toThrow(
      expect.objectContaining({
        message: `${textPath} is not a deepeyes image index`,
        hint: 'build one with `deepeyes index build --images DIR|FILE.jsonl --out INDEX`',
      }),
    );
    expect(() => TextIndex.open(imagePath)).toThrow(
      expect.objectContaining({
        message: `${imagePath} is not a deepeyes text index`,
        hint: 'build one with `deepeyes index build --corpus FILE.jsonl --out INDEX`',
      }),
    );
  });

  it('names a missing file and a directory as user errors', () => {
    const missing = join(dir, 'missing.sqlite');
    let error: unknown;
    try {
      ImageIndex.open(missing);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(`cannot open image index ${missing}: no such file`);
    expect(() => TextIndex.open(dir)).toThrow(`cannot open text index ${dir}: it is a directory`);
  });
});
