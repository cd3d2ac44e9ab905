import sharp from 'sharp';
import { InputFormatError } from '../../errors.js';

/**
 * Image search on a region instead of the whole picture (asked for on the DeepEyesV2 tracker).
 * DeepEyesV2 always searches with the original image, and so does deepeyes by default; an agent
 * that lets the model name a region passes the crop's bytes to `searchImage` instead. The box is
 * `[x1, y1, x2, y2]` in pixels of the original, or in 0–1 fractions with `normalized`; it is
 * clamped to the picture. Returns PNG bytes (lossless, so the search sees what the model saw).
 */
export async function cropForImageSearch(
  image: Uint8Array,
  box: readonly [number, number, number, number],
  options: { normalized?: boolean } = {},
): Promise<Uint8Array> {
  const oriented = sharp(image).rotate();
  const { width, height } = await oriented
    .clone()
    .toBuffer({ resolveWithObject: true })
    .then(({ info }) => info)
    .catch((cause: unknown) => {
      throw new InputFormatError('image-undecodable', 'the image to crop cannot be decoded', { cause });
    });
  const scaleX = options.normalized ? width : 1;
  const scaleY = options.normalized ? height : 1;
  const left = clamp(Math.floor(Math.min(box[0], box[2]) * scaleX), 0, width - 1);
  const top = clamp(Math.floor(Math.min(box[1], box[3]) * scaleY), 0, height - 1);
  const right = clamp(Math.ceil(Math.max(box[0], box[2]) * scaleX), left + 1, width);
  const bottom = clamp(Math.ceil(Math.max(box[1], box[3]) * scaleY), top + 1, height);
  const cropped = await oriented
    .extract({ left, top, width: right - left, height: bottom - top })
    .png()
    .toBuffer();
  return new Uint8Array(cropped);
}

const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value));
