import { promisify } from 'node:util';
import { constants, inflate } from 'node:zlib';

const inflateAsync = promisify(inflate);

/**
 * Whether a PNG or JPEG holds all of its image data, decided the way PIL's `Image.load()` decides it,
 * without decoding pixels (a full decode of a 2000×1500 photo costs 100–300 ms here and dominated the
 * native upload path). Returns `undefined` when complete, else the reason; `'unknown'` for formats this
 * check does not cover (the caller decodes those).
 *
 * PIL's rules, measured with /usr/bin/python3 (src/image/check-image-complete.test.ts keeps them):
 * a PNG loads without its IEND chunk but not when its compressed data is cut or damaged; a JPEG needs
 * its end-of-image marker; bytes after either end are ignored.
 */
export async function checkImageComplete(bytes: Uint8Array): Promise<string | undefined | 'unknown'> {
  if (isPng(bytes)) return checkPng(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return checkJpeg(bytes);
  return 'unknown';
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && PNG_SIGNATURE.every((value, index) => bytes[index] === value);
}

const TRUNCATED = 'truncated';
const DAMAGED = 'damaged';

async function checkPng(bytes: Uint8Array): Promise<string | undefined | 'unknown'> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let header:
    | { width: number; height: number; bitDepth: number; colorType: number; interlace: number }
    | undefined;
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    // PIL stops reading at the first chunk after the image data: what follows cannot make it incomplete.
    if (type === 'IEND' || (idat.length > 0 && type !== 'IDAT')) break;
    const dataStart = offset + 8;
    const data = bytes.subarray(dataStart, Math.min(dataStart + length, bytes.length));
    if (type === 'IHDR' && length >= 13) {
      header = {
        width: view.getUint32(dataStart),
        height: view.getUint32(dataStart + 4),
        bitDepth: data[8] ?? 0,
        colorType: data[9] ?? 0,
        interlace: data[12] ?? 0,
      };
    } else if (type === 'IDAT') {
      idat.push(data); // possibly cut short: the decoder decides whether every row is there
    }
    offset = dataStart + length + 4;
  }
  if (!header) return 'unknown';
  if (idat.length === 0) return TRUNCATED;
  // Beyond libvips' pixel limit, leave the verdict (and its error) to the decode.
  if (header.width * header.height > 268_402_689) return 'unknown';
  const rows = pngRows(header);
  const needed = rows.reduce((sum, rowBytes) => sum + 1 + rowBytes, 0);
  // Bounded, so a small file that inflates to gigabytes costs nothing; a stream longer than its rows
  // is unusual enough to leave to the decode.
  const pixels = await inflateSalvaging(Buffer.concat(idat), needed + 65_536);
  if (pixels === 'too-long') return 'unknown';
  if (pixels === undefined) return DAMAGED;
  let position = 0;
  for (const rowBytes of rows) {
    if (position >= pixels.length) return TRUNCATED;
    // Each row opens with its filter type; PIL refuses a row whose type is not one of the five.
    if ((pixels[position] ?? 0) > 4) return DAMAGED;
    position += 1 + rowBytes;
  }
  return position <= pixels.length ? undefined : TRUNCATED;
}

/**
 * The image data as far as it decodes. PIL's decoder stops once it has every row, so a stream cut after
 * that point, or with a wrong checksum at its end, still loads; `undefined` when the stream is broken.
 */
async function inflateSalvaging(
  compressed: Buffer,
  maxOutputLength: number,
): Promise<Buffer | undefined | 'too-long'> {
  const options = { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength };
  try {
    return await inflateAsync(compressed, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return 'too-long';
    if (!/incorrect data check/.test((error as Error).message)) return undefined;
    // Only the trailing checksum disagrees: what the stream holds without it.
    return await inflateAsync(compressed.subarray(0, -4), options);
  }
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

type PngHeader = { width: number; height: number; bitDepth: number; colorType: number; interlace: number };

/** The byte length of each scanline a PNG's header promises, in stream order (Adam7 passes in turn). */
function pngRows(header: PngHeader): number[] {
  const bitsPerPixel = (CHANNELS[header.colorType] ?? 4) * header.bitDepth;
  const rowBytes = (width: number) => Math.ceil((width * bitsPerPixel) / 8);
  const rows: number[] = [];
  const addPass = (width: number, height: number) => {
    if (width === 0) return;
    for (let row = 0; row < height; row += 1) rows.push(rowBytes(width));
  };
  if (header.interlace !== 1) {
    addPass(header.width, header.height);
    return rows;
  }
  const passes = [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ] as const;
  for (const [x0, y0, dx, dy] of passes) {
    addPass(
      Math.max(0, Math.ceil((header.width - x0) / dx)),
      Math.max(0, Math.ceil((header.height - y0) / dy)),
    );
  }
  return rows;
}

/**
 * A JPEG is complete when an end-of-image marker follows its first start-of-scan. Entropy-coded data
 * never holds an unescaped 0xFF 0xD9 (a data 0xFF is followed by 0x00, restart markers are D0–D7), so
 * finding the marker after the scan starts is exact.
 */
function checkJpeg(bytes: Uint8Array): string | undefined {
  let offset = 2;
  // Walk the marker segments up to the first scan.
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return DAMAGED;
    const marker = bytes[offset + 1] ?? 0;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2; // markers without a length
      continue;
    }
    const length = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0);
    offset += 2 + length;
    if (marker === 0xda) {
      const end = lastEndOfImage(bytes, offset);
      return end === -1 ? TRUNCATED : undefined;
    }
  }
  return TRUNCATED;
}

function lastEndOfImage(bytes: Uint8Array, from: number): number {
  for (let index = bytes.length - 2; index >= from; index -= 1) {
    if (bytes[index] === 0xff && bytes[index + 1] === 0xd9) return index;
  }
  return -1;
}
