import { pythonStringRepr } from './python-repr.js';

/*
 * The cell each upstream agent runs before the first turn to put the input image into the kernel.
 * deepeyes loads every input image as bytes instead (`OpenSessionOptions.images`); these exist for
 * talking to a reference sandbox exactly as upstream does (and both load `image_1` only).
 */

/** The RL environment's `reset()`: the first image as base64 PNG inside the code text. */
export function upstreamRlInitCode(pngBase64: string): string {
  return [
    '',
    'from PIL import Image',
    'import base64',
    'from io import BytesIO',
    '',
    `_img_base64 = "${pngBase64}"`,
    'image_1 = Image.open(BytesIO(base64.b64decode(_img_base64)))',
    '',
  ].join('\n');
}

/**
 * The evaluation agent's `return_init_code`: open the resized copy by path (Python `repr` of the
 * path). It then goes through the same autopep8 repair as model code, which wraps long paths.
 */
export function vlmevalkitInitCode(imagePath: string): string {
  return `\nfrom PIL import Image\nimage_1 = Image.open(${pythonStringRepr(imagePath)})\n`;
}
