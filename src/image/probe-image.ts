import sharp, { type Metadata, type Sharp } from 'sharp';
import { InputFormatError } from '../errors.js';
import { decodeBmp, isBmp } from './bmp.js';

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'gif' | 'tiff' | 'bmp' | 'other';

export type ImageInfo = {
  format: ImageFormat;
  width: number;
  height: number;
  /** Channels as decoded: 1 grey, 2 grey + alpha, 3 colour, 4 colour + alpha. */
  channels: number;
  hasAlpha: boolean;
};

const KNOWN_FORMATS: ReadonlySet<string> = new Set(['png', 'jpeg', 'webp', 'gif', 'tiff']);

function unreadable(cause: unknown): InputFormatError {
  return new InputFormatError('image-unreadable', 'these bytes are not an image we can read', {
    cause,
    hint: 'PNG, JPEG, WebP, GIF (first frame), TIFF and BMP are supported',
  });
}

/**
 * A sharp pipeline over any supported image: PNG, JPEG, WebP, GIF and TIFF (first frame/page)
 * through libvips, BMP through our own decoder. Throws `InputFormatError` on anything else.
 */
export function openImage(bytes: Uint8Array): Sharp {
  if (isBmp(bytes)) {
    const raw = decodeBmp(bytes);
    return sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
  }
  // failOn 'error': like PIL, accept files with minor defects (e.g. a truncated last JPEG row).
  return sharp(bytes, { failOn: 'error' });
}

/** Format, size and channels, without decoding the pixels. Throws `InputFormatError` on garbage. */
export async function probeImage(bytes: Uint8Array): Promise<ImageInfo> {
  if (isBmp(bytes)) {
    const raw = decodeBmp(bytes);
    return {
      format: 'bmp',
      width: raw.width,
      height: raw.height,
      channels: raw.channels,
      hasAlpha: raw.channels === 4,
    };
  }
  let metadata: Metadata;
  try {
    metadata = await sharp(bytes, { failOn: 'error' }).metadata();
  } catch (error) {
    throw unreadable(error);
  }
  const { width, height } = metadata;
  if (!width || !height) throw unreadable(new Error('no image size'));
  const format: string = metadata.format ?? 'other';
  return {
    format: KNOWN_FORMATS.has(format) ? (format as ImageFormat) : 'other',
    width,
    height: metadata.pages && metadata.pageHeight ? metadata.pageHeight : height,
    channels: metadata.channels ?? 3,
    hasAlpha: metadata.hasAlpha ?? false,
  };
}

/** Runs a sharp pipeline to a buffer, turning decoder failures into `InputFormatError`. */
export async function renderImage(
  pipeline: Sharp,
): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  try {
    const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
    return {
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    if (error instanceof InputFormatError) throw error;
    throw unreadable(error);
  }
}
