import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { InputFormatError } from '../errors.js';
import { probeImage } from './probe-image.js';
import { clampBox, cropImage, rotateImage, zoomImage } from './transform-image.js';

/** 40×20 RGB: black, with a white 4×4 square whose top-left corner is at (x, y). */
async function imageWithSquare(x: number, y: number, width = 40, height = 20): Promise<Uint8Array> {
  const square = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  const png = await sharp({ create: { width, height, channels: 3, background: '#000000' } })
    .composite([{ input: square, left: x, top: y }])
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

/** Centre of the bright pixels. */
async function brightCentre(bytes: Uint8Array): Promise<[number, number]> {
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .greyscale()
    .raw()
    .toBuffer({ resolveWithObject: true });
  let sumX = 0;
  let sumY = 0;
  let count = 0;
  for (let index = 0; index < data.length; index += 1) {
    if (data[index]! > 128) {
      sumX += index % info.width;
      sumY += Math.floor(index / info.width);
      count += 1;
    }
  }
  return [sumX / count, sumY / count];
}

describe('clampBox', () => {
  it('rounds like PIL (Python round) and clamps to the image', () => {
    expect(clampBox([-3, 2.5, 50.5, 19.6], { width: 40, height: 20 })).toEqual([0, 2, 40, 20]);
    expect(clampBox([45, 0, 60, 10], { width: 40, height: 20 })).toBeNull();
  });
});

describe('cropImage', () => {
  it('cuts the box out', async () => {
    const crop = await cropImage(await imageWithSquare(10, 8), [8, 6, 18, 16]);
    expect(await probeImage(crop)).toMatchObject({ width: 10, height: 10 });
    expect(await brightCentre(crop)).toEqual([3.5, 3.5]);
  });

  it('refuses a box with nothing inside the picture', async () => {
    await expect(cropImage(await imageWithSquare(0, 0), [50, 50, 60, 60])).rejects.toBeInstanceOf(
      InputFormatError,
    );
  });
});

describe('zoomImage', () => {
  it('enlarges a small crop to the model’s minimum pixel count', async () => {
    const zoom = await zoomImage(await imageWithSquare(10, 8), [8, 6, 18, 16]);
    expect(await probeImage(zoom)).toMatchObject({ width: 56, height: 56 });
  });
});

describe('rotateImage (PIL rotate: counter-clockwise, same canvas)', () => {
  it('keeps the canvas size and turns counter-clockwise by 90°', async () => {
    // Square right of centre on a square canvas: after 90° counter-clockwise it sits above the centre.
    const rotated = await rotateImage(await imageWithSquare(30, 18, 40, 40), 90);
    expect(await probeImage(rotated)).toMatchObject({ width: 40, height: 40 });
    const [x, y] = await brightCentre(rotated);
    expect(x).toBeCloseTo(19.5, 0);
    expect(y).toBeCloseTo(7.5, 0);
  });

  it('keeps a non-square canvas and turns 180°', async () => {
    const rotated = await rotateImage(await imageWithSquare(2, 2), 180);
    expect(await probeImage(rotated)).toMatchObject({ width: 40, height: 20 });
    const [x, y] = await brightCentre(rotated);
    expect(x).toBeCloseTo(35.5, 0);
    expect(y).toBeCloseTo(15.5, 0);
  });

  it('keeps a non-square canvas at 90°, cutting what falls outside', async () => {
    const rotated = await rotateImage(await imageWithSquare(18, 8), 90);
    expect(await probeImage(rotated)).toMatchObject({ width: 40, height: 20 });
    const [x, y] = await brightCentre(rotated);
    expect(x).toBeCloseTo(19.5, 0);
    expect(y).toBeCloseTo(9.5, 0);
  });
});
