import { pythonStrip } from '../../../protocol/python-text.js';

export const HANDWRITTEN_MATH_CATEGORY = 'Handwritten Mathematical Expression Recognition';

/**
 * OCRBench's rule (`OCRBench.evaluate` in the fork's image_vqa.py): correct when any alternative occurs
 * in the prediction as a substring. Handwritten math drops spaces and newlines on both sides and keeps
 * case; every other category lower-cases and turns newlines into spaces. Quirk kept: an empty
 * alternative occurs in everything, so it accepts any prediction.
 */
export function ocrbenchMatch(
  prediction: string,
  alternatives: readonly string[],
  category: string,
): boolean {
  if (category === HANDWRITTEN_MATH_CATEGORY) {
    const squash = (text: string) => pythonStrip(text).replace(/\n/g, ' ').replace(/ /g, '');
    const predicted = squash(prediction);
    return alternatives.some((alternative) => predicted.includes(squash(alternative)));
  }
  const fold = (text: string) => pythonStrip(text.toLowerCase()).replace(/\n/g, ' ');
  const predicted = fold(prediction);
  return alternatives.some((alternative) => predicted.includes(fold(alternative)));
}
