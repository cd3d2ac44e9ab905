import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { thumbnailDataUri } from './write-report.js';

describe('report images', () => {
  it('inlines a thumbnail of a large input image, not the full-resolution file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'deepeyes-thumb-'));
    const path = join(directory, 'input.png');
    const noise = Buffer.alloc(2000 * 1500 * 3);
    for (let index = 0; index < noise.length; index++) noise[index] = (index * 7919) % 251;
    const png = await sharp(noise, { raw: { width: 2000, height: 1500, channels: 3 } })
      .png()
      .toBuffer();
    await writeFile(path, png);
    const uri = await thumbnailDataUri(path);
    expect(uri.startsWith('data:image/jpeg;base64,')).toBe(true);
    const thumbnail = Buffer.from(uri.slice('data:image/jpeg;base64,'.length), 'base64');
    expect(await sharp(thumbnail).metadata()).toMatchObject({ width: 480, height: 360 });
    expect(thumbnail.length).toBeLessThan(png.length / 4);
  });
});
