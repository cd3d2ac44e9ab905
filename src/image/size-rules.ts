import type { ImageSize } from './smart-resize.js';

/**
 * The RL environment's `maybe_resize_image` for images a tool returns ("Qwen-VL raises an error
 * for images with height or width less than 32 pixels"): an aspect ratio over 200 first shrinks the
 * long side to short·min(150, ratio/2) (and, by upstream's arithmetic, the short side to
 * long/min(150, ratio/2)); then a short side under 32 px scales the image up to 32. 5×3000 → 32×1200.
 * Python's int() truncation and ceil are reproduced in the same order.
 */
export function rlObservationSize(size: ImageSize): ImageSize {
  let { width, height } = size;
  const longSide = Math.max(width, height);
  const shortSide = Math.min(width, height);
  if (longSide / shortSide > 200) {
    const oldScale = longSide / shortSide;
    const maxRatio = Math.min(150, oldScale / 2);
    const targetLong = Math.trunc(shortSide * maxRatio);
    if (height > width) {
      width = Math.trunc((width * oldScale) / maxRatio);
      height = targetLong;
    } else {
      height = Math.trunc((height * oldScale) / maxRatio);
      width = targetLong;
    }
  }
  if (Math.min(width, height) >= 32) return { width, height };
  const ratio = 32 / Math.min(width, height);
  return { width: Math.ceil(width * ratio), height: Math.ceil(height * ratio) };
}

/**
 * VLMEvalKit's `encode_image_to_base64` minimum edge (`VLMEVAL_MIN_IMAGE_EDGE`, default 100): a
 * short side under it scales the image by min_edge/short with int() truncation.
 */
export function minEdgeSize(size: ImageSize, minEdge = 100): ImageSize {
  const shortSide = Math.min(size.width, size.height);
  if (shortSide >= minEdge) return size;
  const factor = minEdge / shortSide;
  return { width: Math.trunc(size.width * factor), height: Math.trunc(size.height * factor) };
}
