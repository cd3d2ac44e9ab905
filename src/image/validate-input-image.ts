import { InputFormatError } from '../errors.js';
import { checkImageComplete } from './check-image-complete.js';
import { type ImageInfo, openImage, probeImage } from './probe-image.js';

/**
 * The one check every door applies to an input image (the CLI's `--image`, a sandbox session's upload,
 * a dataset row): its bytes must decode completely, as PIL's `Image.load()` would need in the kernel —
 * a truncated JPEG passes a header probe but fails later. PNG and JPEG (nearly every input) are checked
 * for completeness without decoding their pixels, as PIL judges them; other formats are decoded once.
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
  const incomplete = await checkImageComplete(bytes);
  if (incomplete === 'truncated') throw unreadable(label, TRUNCATED_REASON);
  if (incomplete === 'damaged') throw unreadable(label, 'it cannot be decoded (its image data is damaged)');
  if (incomplete === 'unknown') {
    try {
      await openImage(bytes).raw().toBuffer();
    } catch (cause) {
      throw unreadable(label, reasonOf(cause), cause);
    }
  }
  return info;
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
