import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InputFormatError } from '../errors.js';
import { decodeBmp } from './bmp.js';
import { prepareModelImage } from './prepare-model-image.js';
import { probeImage } from './probe-image.js';
import { makePng } from './testing/make-image.js';

/** A bottom-up 24-bit BMP with the given rows of [r, g, b] pixels (top row first). */
function makeBmp24(rows: number[][][]): Uint8Array {
  const height = rows.length;
  const width = rows[0]!.length;
  const rowBytes = Math.ceil((width * 3) / 4) * 4;
  const bytes = new Uint8Array(54 + rowBytes * height);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(2, bytes.length, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  rows.forEach((row, y) => {
    const start = 54 + (height - 1 - y) * rowBytes;
    row.forEach(([r, g, b], x) => {
      bytes.set([b!, g!, r!], start + x * 3);
    });
  });
  return bytes;
}

describe('probeImage', () => {
  it.each(['png', 'jpeg', 'webp', 'tiff', 'gif'] as const)('reads %s', async (format) => {
    const bytes = new Uint8Array(
      await sharp(await makePng(33, 21, [200, 10, 10]))
        .toFormat(format)
        .toBuffer(),
    );
    expect(await probeImage(bytes)).toMatchObject({ format, width: 33, height: 21 });
  });

  it('reads the first frame of an animated GIF', async () => {
    const red = await makePng(20, 30, [255, 0, 0]);
    const blue = await makePng(20, 30, [0, 0, 255]);
    const gif = new Uint8Array(
      await sharp([red, blue], { join: { animated: true } })
        .gif()
        .toBuffer(),
    );
    expect(await probeImage(gif)).toMatchObject({ format: 'gif', width: 20, height: 30 });
    const prepared = await prepareModelImage(gif, { id: 'gif' });
    const { data } = await sharp(prepared.bytes).raw().toBuffer({ resolveWithObject: true });
    expect([prepared.width, prepared.height]).toEqual([56, 84]);
    // Red, the first frame (JPEG-encoded, so nearly exact).
    expect(data[0]).toBeGreaterThan(240);
    expect(data[2]).toBeLessThan(15);
  });

  it('reads BMP, which libvips does not', async () => {
    const bmp = makeBmp24([
      [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
      ],
      [
        [10, 20, 30],
        [40, 50, 60],
        [70, 80, 90],
      ],
    ]);
    expect(await probeImage(bmp)).toMatchObject({ format: 'bmp', width: 3, height: 2 });
    expect(Array.from(decodeBmp(bmp).data.subarray(0, 6))).toEqual([255, 0, 0, 0, 255, 0]);
    expect(Array.from(decodeBmp(bmp).data.subarray(9, 12))).toEqual([10, 20, 30]);
    const prepared = await prepareModelImage(bmp, { id: 'bmp' });
    expect(prepared.mimeType).toBe('image/jpeg');
    expect([prepared.width, prepared.height]).toEqual([84, 56]);
  });

  it('throws InputFormatError on bytes that are not an image', async () => {
    await expect(probeImage(new TextEncoder().encode('hello, not an image'))).rejects.toBeInstanceOf(
      InputFormatError,
    );
    await expect(
      prepareModelImage(new Uint8Array([0x89, 0x50, 0x4e, 0x47]), { id: 'x' }),
    ).rejects.toBeInstanceOf(InputFormatError);
    expect(() => decodeBmp(new Uint8Array([0x42, 0x4d, ...new Array(60).fill(0)]))).toThrow(InputFormatError);
  });
});
