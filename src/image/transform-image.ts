import { InputFormatError } from '../errors.js';
import { openImage, probeImage, renderImage } from './probe-image.js';
import { pythonRound, type SmartResizeOptions, smartResize } from './smart-resize.js';

/** [x1, y1, x2, y2]: top-left and bottom-right corners in pixels. */
export type PixelBox = [number, number, number, number];

/**
 * The box PIL's `Image.crop` would cut, clamped to the image: corners rounded as PIL rounds them
 * (Python round), then kept inside the picture. Null when nothing is left.
 */
export function clampBox(box: PixelBox, size: { width: number; height: number }): PixelBox | null {
  const [x1, y1, x2, y2] = box.map((value) => pythonRound(value)) as PixelBox;
  const left = Math.min(Math.max(0, x1), size.width);
  const top = Math.min(Math.max(0, y1), size.height);
  const right = Math.min(Math.max(0, x2), size.width);
  const bottom = Math.min(Math.max(0, y2), size.height);
  return right > left && bottom > top ? [left, top, right, bottom] : null;
}

/**
 * Cuts `box` out of the image (PNG out). The box is clamped to the picture; a box with nothing
 * inside throws `InputFormatError` (validate model boxes first, e.g. with `resolveZoomBox`).
 */
export async function cropImage(bytes: Uint8Array, box: PixelBox): Promise<Uint8Array> {
  const info = await probeImage(bytes);
  const clamped = clampBox(box, info);
  if (!clamped) {
    throw new InputFormatError(
      'crop-box-empty',
      `the box [${box.join(', ')}] has no area inside the ${info.width}×${info.height} image`,
    );
  }
  const [left, top, right, bottom] = clamped;
  const pipeline = openImage(bytes)
    .extract({ left, top, width: right - left, height: bottom - top })
    .png();
  return (await renderImage(pipeline)).bytes;
}

/**
 * A crop enlarged for viewing the way DeepEyes v1's evaluation does it: cut `box`, then resize to
 * Qwen2.5-VL's smart size for the crop (bicubic), so a small region reaches the minimum pixel count.
 */
export async function zoomImage(
  bytes: Uint8Array,
  box: PixelBox,
  options: SmartResizeOptions = {},
): Promise<Uint8Array> {
  const crop = await cropImage(bytes, box);
  const info = await probeImage(crop);
  const target = smartResize(info, options);
  const pipeline = openImage(crop)
    .resize(target.width, target.height, { fit: 'fill', kernel: 'cubic' })
    .png();
  return (await renderImage(pipeline)).bytes;
}

/**
 * PIL's `image.rotate(angle)`, which DeepEyes v1's rotate tool calls: counter-clockwise by `angle`
 * degrees about the centre, on the original canvas (corners cut off, uncovered area black or, with
 * an alpha channel, transparent). PNG out.
 */
export async function rotateImage(bytes: Uint8Array, angleDegrees: number): Promise<Uint8Array> {
  const info = await probeImage(bytes);
  const background = { r: 0, g: 0, b: 0, alpha: info.hasAlpha ? 0 : 1 };
  // sharp turns clockwise and grows the canvas; turn the other way, then cut the original frame.
  const rotated = await renderImage(openImage(bytes).rotate(-angleDegrees, { background }).png());
  const padX = Math.max(0, info.width - rotated.width);
  const padY = Math.max(0, info.height - rotated.height);
  // Two passes: sharp orders extend/extract by its own pipeline, not by call order.
  const padded = await renderImage(
    openImage(rotated.bytes)
      .extend({
        left: Math.floor(padX / 2),
        right: Math.ceil(padX / 2),
        top: Math.floor(padY / 2),
        bottom: Math.ceil(padY / 2),
        background,
      })
      .png(),
  );
  const pipeline = openImage(padded.bytes)
    .extract({
      left: Math.floor((padded.width - info.width) / 2),
      top: Math.floor((padded.height - info.height) / 2),
      width: info.width,
      height: info.height,
    })
    .png();
  return (await renderImage(pipeline)).bytes;
}
