export { decodeBmp, isBmp, type RawImage } from './bmp.js';
export {
  isAllWhite,
  type PrepareModelImageOptions,
  type PrepareObservationImageOptions,
  type PrepareObservationImagesOptions,
  prepareModelImage,
  prepareObservationImage,
  prepareObservationImages,
} from './prepare-model-image.js';
export { type ImageFormat, type ImageInfo, openImage, probeImage, renderImage } from './probe-image.js';
export { minEdgeSize, rlObservationSize } from './size-rules.js';
export {
  EVAL_MAX_PIXELS,
  EVAL_MIN_PIXELS,
  IMAGE_FACTOR,
  type ImageSize,
  pythonRound,
  SFT_MAX_PIXELS,
  type SmartResizeOptions,
  smartResize,
} from './smart-resize.js';
export { clampBox, cropImage, type PixelBox, rotateImage, zoomImage } from './transform-image.js';
export { validateInputImage } from './validate-input-image.js';
