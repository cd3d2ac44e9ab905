import { InputFormatError } from '../errors.js';
import type { CompatProfile } from '../protocol/action.js';
import type { ModelImage } from '../protocol/chat-message.js';
import { MAX_OBSERVATION_IMAGES } from '../protocol/render-observation.js';
import { type ImageInfo, openImage, probeImage, renderImage } from './probe-image.js';
import { minEdgeSize, rlObservationSize } from './size-rules.js';
import { type ImageSize, type SmartResizeOptions, smartResize } from './smart-resize.js';

export type PrepareModelImageOptions = SmartResizeOptions & {
  /** Stable id within the trajectory (backends cache the data URI by it). */
  id: string;
  /** Default `deepeyesv2`. `vlmevalkit` adds VLMEvalKit's 100-px minimum edge. */
  profile?: CompatProfile;
};

type Encoding = 'png' | 'jpeg';

/** PIL's default JPEG quality, which upstream's encoders use. */
const UPSTREAM_JPEG_QUALITY = 75;
/** Our own re-encodes of input photos: high enough not to lose detail the model could zoom into. */
const INPUT_JPEG_QUALITY = 95;

function sameSize(info: ImageInfo, size: ImageSize): boolean {
  return info.width === size.width && info.height === size.height;
}

async function encode(
  bytes: Uint8Array,
  info: ImageInfo,
  size: ImageSize,
  encoding: Encoding,
  options: { kernel: 'cubic' | 'lanczos3' | 'linear'; jpegQuality: number },
): Promise<{ bytes: Uint8Array; width: number; height: number }> {
  // Nothing to change: keep the caller's bytes, no re-encode loss.
  if (sameSize(info, size) && info.format === encoding)
    return { bytes, width: info.width, height: info.height };
  let pipeline = openImage(bytes);
  if (!sameSize(info, size))
    pipeline = pipeline.resize(size.width, size.height, { fit: 'fill', kernel: options.kernel });
  // JPEG has no alpha: drop the channel as PIL's convert('RGB') does (no compositing).
  pipeline =
    encoding === 'jpeg' ? pipeline.removeAlpha().jpeg({ quality: options.jpegQuality }) : pipeline.png();
  return renderImage(pipeline);
}

function toModelImage(
  id: string,
  encoding: Encoding,
  result: { bytes: Uint8Array; width: number; height: number },
): ModelImage {
  return { id, mimeType: encoding === 'png' ? 'image/png' : 'image/jpeg', ...result };
}

/**
 * An input image as the model will see it, resized and encoded once per trajectory: Qwen2.5-VL's
 * smart_resize (so the server's processor leaves it alone and coordinates the model gives match the
 * picture), PNG stays PNG, anything else becomes JPEG. With `vlmevalkit` a short side under 100 px
 * is then enlarged to 100 as VLMEvalKit does before sending (the kernel copy upstream keeps is the
 * smaller one; deepeyes gives the kernel this same image). Throws `InputFormatError` on garbage.
 */
export async function prepareModelImage(
  bytes: Uint8Array,
  options: PrepareModelImageOptions,
): Promise<ModelImage> {
  const info = await probeImage(bytes);
  let size = smartResize(info, options);
  if (options.profile === 'vlmevalkit') size = minEdgeSize(size);
  const encoding: Encoding = info.format === 'png' ? 'png' : 'jpeg';
  const jpegQuality = options.profile === 'vlmevalkit' ? UPSTREAM_JPEG_QUALITY : INPUT_JPEG_QUALITY;
  const kernel = options.profile === 'vlmevalkit' ? 'linear' : 'cubic';
  return toModelImage(
    options.id,
    encoding,
    await encode(bytes, info, size, encoding, { kernel, jpegQuality }),
  );
}

export type PrepareObservationImageOptions = {
  /** Default `deepeyesv2`. */
  profile?: CompatProfile;
};

/**
 * An image a tool returned, as the model will see it. RL profiles: the RL environment's size rule
 * (aspect ratio over 200 shrunk, short side under 32 px enlarged), PNG. `vlmevalkit`: smart_resize
 * with the evaluation bounds, JPEG, alpha dropped (P and LA images, which crash upstream's JPEG
 * encoder, are converted). Throws `InputFormatError` when the bytes are not an image.
 */
export async function prepareObservationImage(
  bytes: Uint8Array,
  id: string,
  options: PrepareObservationImageOptions = {},
): Promise<ModelImage> {
  const info = await probeImage(bytes);
  if (options.profile === 'vlmevalkit') {
    const size = smartResize(info);
    return toModelImage(
      id,
      'jpeg',
      await encode(bytes, info, size, 'jpeg', { kernel: 'linear', jpegQuality: UPSTREAM_JPEG_QUALITY }),
    );
  }
  const size = rlObservationSize(info);
  const encoding: Encoding = info.format === 'jpeg' ? 'jpeg' : 'png';
  return toModelImage(
    id,
    encoding,
    await encode(bytes, info, size, encoding, { kernel: 'lanczos3', jpegQuality: INPUT_JPEG_QUALITY }),
  );
}

/**
 * True when every channel value of every pixel is ≥ 250 (alpha included): the evaluation agent's
 * `check_white_image`, which silently drops such images from observations.
 */
export async function isAllWhite(bytes: Uint8Array): Promise<boolean> {
  const { bytes: pixels } = await renderImage(openImage(bytes).raw({ depth: 'uchar' }));
  for (const value of pixels) if (value < 250) return false;
  return true;
}

export type PrepareObservationImagesOptions = PrepareObservationImageOptions & {
  /** Id of the i-th kept image. */
  idFor: (index: number) => string;
  /** Default: 10 for RL profiles (upstream's `max_images_per_round`), no cap for `vlmevalkit`. */
  maxImages?: number;
};

/**
 * All images of one tool result, the way each profile treats them: undecodable images are skipped
 * (upstream logs and skips them), `vlmevalkit` drops all-white images, RL keeps the first 10.
 */
export async function prepareObservationImages(
  images: readonly Uint8Array[],
  options: PrepareObservationImagesOptions,
): Promise<ModelImage[]> {
  const limit =
    options.maxImages ??
    (options.profile === 'vlmevalkit' ? Number.POSITIVE_INFINITY : MAX_OBSERVATION_IMAGES);
  const kept: ModelImage[] = [];
  for (const bytes of images) {
    if (kept.length >= limit) break;
    try {
      if (options.profile === 'vlmevalkit' && (await isAllWhite(bytes))) continue;
      kept.push(await prepareObservationImage(bytes, options.idFor(kept.length), options));
    } catch (error) {
      if (!(error instanceof InputFormatError)) throw error;
    }
  }
  return kept;
}
