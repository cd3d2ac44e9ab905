import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InputFormatError } from '../errors.js';
import { validateInputImage } from './validate-input-image.js';

const png = await readFile('assets/demo/images/loading-bay.png');
const jpeg = await sharp(png).jpeg().toBuffer();

async function failure(bytes: Uint8Array, label: string): Promise<InputFormatError> {
  const error = await validateInputImage(bytes, label).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(InputFormatError);
  return error as InputFormatError;
}

describe('validateInputImage', () => {
  it('accepts a complete image and returns its size', async () => {
    expect(await validateInputImage(jpeg, 'a.jpg')).toMatchObject({
      format: 'jpeg',
      width: 1600,
      height: 1000,
    });
  });

  it('rejects a truncated JPEG (which PIL would fail to load), naming the input', async () => {
    const error = await failure(jpeg.subarray(0, Math.floor(jpeg.length * 0.99)), 'photos/b.jpg');
    expect(error.code).toBe('image-unreadable');
    expect(error.message).toBe(
      'Input image photos/b.jpg is unreadable: it is truncated (the file ends before the image does)',
    );
  });

  it('rejects an empty file and non-image bytes, naming the input', async () => {
    expect((await failure(new Uint8Array(), 'image_2')).message).toBe(
      'Input image image_2 is unreadable: it is empty (0 bytes)',
    );
    expect((await failure(new TextEncoder().encode('hello, not a picture'), 'notes.txt')).message).toBe(
      'Input image notes.txt is unreadable: it is not an image',
    );
  });
});

describe('validateInputImage follows PIL where the decoder is stricter', () => {
  const cases = readFileSync('test/fixtures/image-completeness/cases.jsonl', 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { name: string; bytes: string; pil_loads: boolean });

  it.each(cases.filter((c) => c.name.startsWith('png-')).map((c) => [c.name, c] as const))(
    '%s',
    async (_, c) => {
      const accepted = await validateInputImage(Buffer.from(c.bytes, 'base64'), c.name).then(
        () => true,
        () => false,
      );
      expect(accepted).toBe(c.pil_loads);
    },
  );
});
