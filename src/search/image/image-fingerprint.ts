import sharp, { type OutputInfo } from 'sharp';
import { InputFormatError } from '../../errors.js';

/**
 * Near-duplicate fingerprints: a 64-bit DCT perceptual hash (pHash) plus a 4×4×4 RGB colour
 * histogram, for the whole picture and for many sub-windows of it. A crop of an indexed picture
 * looks like one of its windows, so it is found although its whole-picture hash differs.
 */
export type Fingerprint = {
  /** High and low 32 bits of the 64-bit pHash. */
  hashHigh: number;
  hashLow: number;
  /** 64 bins, each the bin's share of pixels scaled to 0–255. */
  histogram: Uint8Array;
};

/** A window of the picture in fractions of its width and height: [left, top, right, bottom]. */
export type Window = readonly [number, number, number, number];

const WORKING_SIDE = 256;
const HASH_SIDE = 32;
const HASH_BLOCK = 8;
export const HISTOGRAM_BINS = 64;

type Pixels = { width: number; height: number; rgb: Uint8Array; greyIntegral: Float64Array };

/** Decodes any format sharp reads, flattens alpha on white, and shrinks to fit 256×256. */
export async function decodeForFingerprint(image: Uint8Array): Promise<Pixels> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    decoded = await sharp(image)
      .rotate()
      .flatten({ background: '#ffffff' })
      .resize(WORKING_SIDE, WORKING_SIDE, { fit: 'inside', kernel: 'cubic' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (cause) {
    throw new InputFormatError('image-undecodable', 'the image cannot be decoded', { cause });
  }
  const { width, height, channels } = decoded.info;
  const rgb = new Uint8Array(width * height * 3);
  for (let pixel = 0; pixel < width * height; pixel += 1) {
    rgb[pixel * 3] = decoded.data[pixel * channels]!;
    rgb[pixel * 3 + 1] = decoded.data[pixel * channels + 1]!;
    rgb[pixel * 3 + 2] = decoded.data[pixel * channels + 2]!;
  }
  // Summed-area table of luma: any rectangle's mean grey in O(1), so each window is cheap.
  const greyIntegral = new Float64Array((width + 1) * (height + 1));
  for (let y = 0; y < height; y += 1) {
    let rowSum = 0;
    for (let x = 0; x < width; x += 1) {
      const offset = (y * width + x) * 3;
      rowSum += 0.299 * rgb[offset]! + 0.587 * rgb[offset + 1]! + 0.114 * rgb[offset + 2]!;
      greyIntegral[(y + 1) * (width + 1) + x + 1] = greyIntegral[y * (width + 1) + x + 1]! + rowSum;
    }
  }
  return { width, height, rgb, greyIntegral };
}

const COSINES = (() => {
  const table = new Float64Array(HASH_BLOCK * HASH_SIDE);
  for (let frequency = 0; frequency < HASH_BLOCK; frequency += 1) {
    for (let position = 0; position < HASH_SIDE; position += 1) {
      table[frequency * HASH_SIDE + position] = Math.cos(
        ((2 * position + 1) * frequency * Math.PI) / (2 * HASH_SIDE),
      );
    }
  }
  return table;
})();

/** Fingerprint of one window of decoded pixels. */
export function fingerprintWindow(pixels: Pixels, window: Window): Fingerprint {
  const { width, height } = pixels;
  const left = window[0] * width;
  const top = window[1] * height;
  const cellWidth = ((window[2] - window[0]) * width) / HASH_SIDE;
  const cellHeight = ((window[3] - window[1]) * height) / HASH_SIDE;
  const grey = new Float64Array(HASH_SIDE * HASH_SIDE);
  for (let row = 0; row < HASH_SIDE; row += 1) {
    const y0 = Math.min(height - 1, Math.round(top + row * cellHeight));
    const y1 = Math.max(y0 + 1, Math.min(height, Math.round(top + (row + 1) * cellHeight)));
    for (let column = 0; column < HASH_SIDE; column += 1) {
      const x0 = Math.min(width - 1, Math.round(left + column * cellWidth));
      const x1 = Math.max(x0 + 1, Math.min(width, Math.round(left + (column + 1) * cellWidth)));
      grey[row * HASH_SIDE + column] = rectangleMean(pixels, x0, y0, x1, y1);
    }
  }
  const [hashHigh, hashLow] = dctHash(grey);
  return { hashHigh, hashLow, histogram: colourHistogram(pixels, window) };
}

function rectangleMean(pixels: Pixels, x0: number, y0: number, x1: number, y1: number): number {
  const stride = pixels.width + 1;
  const integral = pixels.greyIntegral;
  const sum =
    integral[y1 * stride + x1]! -
    integral[y0 * stride + x1]! -
    integral[y1 * stride + x0]! +
    integral[y0 * stride + x0]!;
  return sum / ((x1 - x0) * (y1 - y0));
}

/** The 8×8 lowest DCT frequencies of a 32×32 grey block, each compared with their median. */
function dctHash(grey: Float64Array): [number, number] {
  const rows = new Float64Array(HASH_SIDE * HASH_BLOCK);
  for (let row = 0; row < HASH_SIDE; row += 1) {
    for (let frequency = 0; frequency < HASH_BLOCK; frequency += 1) {
      let sum = 0;
      for (let column = 0; column < HASH_SIDE; column += 1)
        sum += grey[row * HASH_SIDE + column]! * COSINES[frequency * HASH_SIDE + column]!;
      rows[row * HASH_BLOCK + frequency] = sum;
    }
  }
  const coefficients = new Float64Array(HASH_BLOCK * HASH_BLOCK);
  for (let vertical = 0; vertical < HASH_BLOCK; vertical += 1) {
    for (let horizontal = 0; horizontal < HASH_BLOCK; horizontal += 1) {
      let sum = 0;
      for (let row = 0; row < HASH_SIDE; row += 1)
        sum += rows[row * HASH_BLOCK + horizontal]! * COSINES[vertical * HASH_SIDE + row]!;
      coefficients[vertical * HASH_BLOCK + horizontal] = sum;
    }
  }
  // The DC term (overall brightness) is left out of the median, as in the usual pHash.
  const median = [...coefficients.subarray(1)].sort((a, b) => a - b)[31]!;
  let high = 0;
  let low = 0;
  for (let bit = 0; bit < 64; bit += 1) {
    if (coefficients[bit]! > median) {
      if (bit < 32) high |= 1 << bit;
      else low |= 1 << (bit - 32);
    }
  }
  return [high >>> 0, low >>> 0];
}

function colourHistogram(pixels: Pixels, window: Window): Uint8Array {
  const { width, height, rgb } = pixels;
  const x0 = Math.floor(window[0] * width);
  const x1 = Math.max(x0 + 1, Math.ceil(window[2] * width));
  const y0 = Math.floor(window[1] * height);
  const y1 = Math.max(y0 + 1, Math.ceil(window[3] * height));
  const counts = new Float64Array(HISTOGRAM_BINS);
  // Every second pixel is plenty for a 64-bin histogram.
  let total = 0;
  for (let y = y0; y < Math.min(y1, height); y += 2) {
    for (let x = x0; x < Math.min(x1, width); x += 2) {
      const offset = (y * width + x) * 3;
      counts[((rgb[offset]! >> 6) << 4) | ((rgb[offset + 1]! >> 6) << 2) | (rgb[offset + 2]! >> 6)]! += 1;
      total += 1;
    }
  }
  const histogram = new Uint8Array(HISTOGRAM_BINS);
  for (let bin = 0; bin < HISTOGRAM_BINS; bin += 1)
    histogram[bin] = Math.round((255 * counts[bin]!) / Math.max(1, total));
  return histogram;
}

/** Number of differing bits between two 64-bit hashes. */
export function hammingDistance(aHigh: number, aLow: number, bHigh: number, bLow: number): number {
  return popCount32((aHigh ^ bHigh) >>> 0) + popCount32((aLow ^ bLow) >>> 0);
}

function popCount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Histogram intersection in [0, 1]: the share of colour mass two windows have in common. */
export function histogramSimilarity(a: Uint8Array, b: Uint8Array, bOffset = 0): number {
  let common = 0;
  let totalA = 0;
  for (let bin = 0; bin < HISTOGRAM_BINS; bin += 1) {
    common += Math.min(a[bin]!, b[bOffset + bin]!);
    totalA += a[bin]!;
  }
  return totalA === 0 ? 0 : common / totalA;
}

/**
 * Windows indexed per picture: the whole picture, then widths and heights of 80, 65 and 50 % at
 * every 10 % step (independently per axis, so off-aspect crops match too): 225 windows.
 */
export function indexWindows(): Window[] {
  const spans: Array<[number, number]> = [];
  for (const size of [1, 0.8, 0.65, 0.5]) {
    for (let start = 0; start <= 1 - size + 1e-9; start += 0.1) spans.push([start, start + size]);
    const lastStart = 1 - size;
    if (Math.abs((spans.at(-1)?.[0] ?? 0) - lastStart) > 1e-6) spans.push([lastStart, 1]);
  }
  const windows: Window[] = [];
  for (const [top, bottom] of spans)
    for (const [left, right] of spans) windows.push([left, top, right, bottom]);
  return windows;
}

export const WHOLE_PICTURE: Window = [0, 0, 1, 1];
