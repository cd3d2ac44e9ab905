/**
 * Qwen2.5-VL's `smart_resize`, as upstream's evaluation agent and DeepEyes v1 copy it from
 * qwen-vl-utils: both sides become multiples of `factor` (28 = patch 14 × merge 2), the pixel count
 * is kept within [minPixels, maxPixels], and the aspect ratio is kept as well as rounding allows.
 * Pure size math; Python's rounding is reproduced exactly (round half to even).
 */

export type ImageSize = { width: number; height: number };

export type SmartResizeOptions = {
  /** Default 28. */
  factor?: number;
  /** Default 4·28·28 = 3136 (the evaluation agent's MIN_PIXELS). */
  minPixels?: number;
  /** Default 16384·28·28 = 12 845 056 (the evaluation agent's MAX_PIXELS). */
  maxPixels?: number;
};

export const IMAGE_FACTOR = 28;
/** Evaluation bounds (upstream `agent_utils.py`). */
export const EVAL_MIN_PIXELS = 4 * 28 * 28;
export const EVAL_MAX_PIXELS = 16384 * 28 * 28;
/** Cold-start SFT bound (the LLaMA-Factory config's `image_max_pixels`). */
export const SFT_MAX_PIXELS = 262144;

/** Python 3's `round(x)` for a float: ties go to the even neighbour. */
export function pythonRound(value: number): number {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction > 0.5) return floor + 1;
  if (fraction < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

function roundByFactor(value: number, factor: number): number {
  return pythonRound(value / factor) * factor;
}

function ceilByFactor(value: number, factor: number): number {
  return Math.ceil(value / factor) * factor;
}

function floorByFactor(value: number, factor: number): number {
  return Math.floor(value / factor) * factor;
}

/** The size Qwen2.5-VL resizes an image to. Same arithmetic, in the same order, as upstream's Python. */
export function smartResize(size: ImageSize, options: SmartResizeOptions = {}): ImageSize {
  const factor = options.factor ?? IMAGE_FACTOR;
  const minPixels = options.minPixels ?? EVAL_MIN_PIXELS;
  const maxPixels = options.maxPixels ?? EVAL_MAX_PIXELS;
  const { width, height } = size;
  let heightBar = Math.max(factor, roundByFactor(height, factor));
  let widthBar = Math.max(factor, roundByFactor(width, factor));
  if (heightBar * widthBar > maxPixels) {
    const beta = Math.sqrt((height * width) / maxPixels);
    heightBar = floorByFactor(height / beta, factor);
    widthBar = floorByFactor(width / beta, factor);
  } else if (heightBar * widthBar < minPixels) {
    const beta = Math.sqrt(minPixels / (height * width));
    heightBar = ceilByFactor(height * beta, factor);
    widthBar = ceilByFactor(width * beta, factor);
  }
  return { width: widthBar, height: heightBar };
}
