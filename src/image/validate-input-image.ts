import { InputFormatError } from '../errors.js';
import { checkImageComplete } from './check-image-complete.js';
import { type ImageInfo, openImage, probeImage } from './probe-image.js';

/**
 * The one check every door applies to an input image (the CLI's `--image`, a sandbox session's upload,
 * a dataset row): its bytes must decode completely, as PIL's `Image.load()` would need in the kernel —
 * a truncated JPEG passes a header probe but fails later. A JPEG is checked without decoding its pixels;
 * other formats are decoded once, and a PNG the decoder refuses gets PIL's verdict (check-image-complete.ts).
 * `label` names the input in the error (a path, `image_2`, a field), so the user knows which one is bad.
 */
export async function validateInputImage(bytes: Uint8Array, label: string): Promise<ImageInfo> {
  if (bytes.length === 0) throw unreadable(label, 'it is empty (0 bytes)');
  let info: ImageInfo;
  try {
    info = await probeImage(bytes);
  } catch (cause) {
    throw unreadable(label, reasonOf(cause), cause);
  }
  // A JPEG's completeness is known from its markers (~1 ms instead of a ~50 ms decode).
  if (info.format === 'jpeg') return refuseIncomplete(await checkImageComplete(bytes), label, info);
  try {
    await openImage(bytes).raw().toBuffer();
    return info;
  } catch (cause) {
    // libvips refuses some PNGs that PIL loads (a stream cut after its last row, a wrong trailing
    // checksum): ask the PIL-faithful check before refusing. The decode stays first because it is
    // faster than that check on a large PNG here.
    const verdict = info.format === 'png' ? await checkImageComplete(bytes) : 'unknown';
    if (verdict === 'unknown') throw unreadable(label, reasonOf(cause), cause);
    return refuseIncomplete(verdict, label, info);
  }
}

function refuseIncomplete(verdict: string | undefined, label: string, info: ImageInfo): ImageInfo {
  if (verdict === undefined) return info;
  if (verdict === 'truncated') throw unreadable(label, TRUNCATED_REASON);
  throw unreadable(label, 'it cannot be decoded (its image data is damaged)');
}

const TRUNCATED_REASON = 'it is truncated (the file ends before the image does)';

function reasonOf(cause: unknown): string {
  const inner = cause instanceof Error && cause.cause instanceof Error ? cause.cause : cause;
  const text = inner instanceof Error ? inner.message : String(inner);
  if (/premature end|truncated/i.test(text)) return TRUNCATED_REASON;
  if (/unsupported image format|bad seek|no image size/i.test(text)) return 'it is not an image';
  return `it cannot be decoded (${text.split('\n')[0]})`;
}

function unreadable(label: string, reason: string, cause?: unknown): InputFormatError {
  return new InputFormatError('image-unreadable', `Input image ${label} is unreadable: ${reason}`, {
    cause,
    hint: 'Send a complete PNG, JPEG, WebP, GIF, TIFF or BMP file.',
  });
}
