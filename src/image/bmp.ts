import { InputFormatError } from '../errors.js';

/** Raw pixels decoded from a BMP file: 8-bit channels, top row first. */
export type RawImage = { data: Uint8Array; width: number; height: number; channels: 3 | 4 };

export function isBmp(bytes: Uint8Array): boolean {
  return bytes.length >= 26 && bytes[0] === 0x42 && bytes[1] === 0x4d;
}

/**
 * Decodes the BMP variants cameras, screenshots and Windows tools write (libvips, and so sharp,
 * reads no BMP): uncompressed 24/32-bit, 32-bit BI_BITFIELDS with the usual masks, and 1/4/8-bit
 * palette images. RLE-compressed files are refused with a clear error.
 */
export function decodeBmp(bytes: Uint8Array): RawImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string) =>
    new InputFormatError('image-unreadable', `cannot read this BMP image: ${what}`, {
      hint: 'convert it to PNG or JPEG',
    });
  if (!isBmp(bytes)) throw fail('not a BMP file');
  const pixelOffset = view.getUint32(10, true);
  const headerSize = view.getUint32(14, true);
  if (headerSize < 40) throw fail('OS/2 BMP headers are not supported');
  const width = view.getInt32(18, true);
  const rawHeight = view.getInt32(22, true);
  const bitsPerPixel = view.getUint16(28, true);
  const compression = view.getUint32(30, true);
  const topDown = rawHeight < 0;
  const height = Math.abs(rawHeight);
  if (width <= 0 || height === 0) throw fail('empty image');
  if (compression !== 0 && !(compression === 3 && bitsPerPixel === 32))
    throw fail('compressed BMP is not supported');
  if (![1, 4, 8, 24, 32].includes(bitsPerPixel)) throw fail(`${bitsPerPixel}-bit pixels are not supported`);

  let palette: Uint8Array | undefined;
  if (bitsPerPixel <= 8) {
    const declared = view.getUint32(46, true);
    const count = declared === 0 ? 1 << bitsPerPixel : declared;
    palette = bytes.subarray(14 + headerSize, 14 + headerSize + count * 4);
  }
  const channels = bitsPerPixel === 32 ? 4 : 3;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 32) * 4;
  if (pixelOffset + rowBytes * height > bytes.length) throw fail('file is truncated');
  const data = new Uint8Array(width * height * channels);
  for (let row = 0; row < height; row += 1) {
    const sourceRow = topDown ? row : height - 1 - row;
    const rowStart = pixelOffset + sourceRow * rowBytes;
    for (let column = 0; column < width; column += 1) {
      const target = (row * width + column) * channels;
      if (palette) {
        const bitOffset = column * bitsPerPixel;
        const byte = bytes[rowStart + (bitOffset >> 3)]!;
        const shift = 8 - bitsPerPixel - (bitOffset & 7);
        const index = (byte >> shift) & ((1 << bitsPerPixel) - 1);
        data[target] = palette[index * 4 + 2] ?? 0;
        data[target + 1] = palette[index * 4 + 1] ?? 0;
        data[target + 2] = palette[index * 4] ?? 0;
      } else {
        const source = rowStart + column * (bitsPerPixel / 8);
        data[target] = bytes[source + 2]!;
        data[target + 1] = bytes[source + 1]!;
        data[target + 2] = bytes[source]!;
        if (channels === 4) data[target + 3] = bytes[source + 3]!;
      }
    }
  }
  if (channels === 4 && data.every((value, index) => index % 4 !== 3 || value === 0)) {
    // Most 32-bit BMPs leave the fourth byte at 0 and mean "opaque".
    for (let index = 3; index < data.length; index += 4) data[index] = 255;
  }
  return { data, width, height, channels };
}
