import type { ToolCategory } from './tool-category.js';

/**
 * Classifies one code call by what it does to the image, by rules over its text with strings and
 * comments blanked out (so `print("crop")` is not a crop). Precedence when a call does several
 * things: crop, then mark, then other image operations; code touching no image operation is
 * numerical analysis (arithmetic, measuring, printing values), as in the paper's taxonomy.
 */
export function classifyCode(code: string): ToolCategory {
  const source = blankStringsAndComments(code);
  if (CROP.some((pattern) => pattern.test(source))) return 'crop';
  if (MARK.some((pattern) => pattern.test(source))) return 'mark';
  if (OTHER_IMAGE.some((pattern) => pattern.test(source))) return 'other-image';
  return 'numerical';
}

const CROP: RegExp[] = [
  /\.crop\s*\(/,
  // 2-D slicing of an image array: img[y0:y1, x0:x1] (also with a channel axis).
  /\b\w+\s*\[\s*[^[\]\n]*:[^[\]\n]*,\s*[^[\]\n]*:[^[\]\n]*\]/,
  /\bimage_zoom_in\b|\bzoom_in\b/,
];

const MARK: RegExp[] = [
  /\bImageDraw\b/,
  /\bcv2\s*\.\s*(?:rectangle|line|circle|ellipse|putText|polylines|arrowedLine|drawContours|drawMarker)\s*\(/,
  /\b(?:draw|drawer|canvas)\s*\.\s*(?:rectangle|line|ellipse|polygon|text|point|arc)\s*\(/,
  /\b(?:patches\s*\.\s*)?Rectangle\s*\(/,
  /\.add_patch\s*\(/,
  /\bplt\s*\.\s*(?:axhline|axvline|scatter|annotate|plot|text)\s*\(/,
  /\bax\w*\s*\.\s*(?:axhline|axvline|scatter|annotate|plot)\s*\(/,
];

const OTHER_IMAGE: RegExp[] = [
  /\.(?:rotate|transpose|resize|thumbnail|filter|convert|point|quantize|split|getchannel|getpixel|histogram|getcolors|getbbox)\s*\(/,
  /\bImage(?:Enhance|Filter|Ops|Chops|Stat)\b/,
  /\bcv2\s*\.\s*\w+\s*\(/,
  /\bnp\s*\.\s*(?:rot90|flip|fliplr|flipud)\s*\(/,
  /\b(?:plt|ax\w*)\s*\.\s*imshow\s*\(/,
  /\bskimage\b|\bscipy\s*\.\s*ndimage\b/,
];

/** Replaces the contents of string literals and comments with spaces, keeping code positions. */
export function blankStringsAndComments(code: string): string {
  let result = '';
  let position = 0;
  while (position < code.length) {
    const char = code[position]!;
    if (char === '#') {
      const end = code.indexOf('\n', position);
      const stop = end === -1 ? code.length : end;
      result += ' '.repeat(stop - position);
      position = stop;
      continue;
    }
    if (char === '"' || char === "'") {
      const triple = code.startsWith(char.repeat(3), position);
      const quote = triple ? char.repeat(3) : char;
      let end = position + quote.length;
      while (end < code.length) {
        if (code[end] === '\\') {
          end += 2;
          continue;
        }
        if (code.startsWith(quote, end)) break;
        if (!triple && code[end] === '\n') break;
        end++;
      }
      const stop = Math.min(code.length, end + (code.startsWith(quote, end) ? quote.length : 0));
      result +=
        quote + code.slice(position + quote.length, stop - quote.length).replace(/[^\n]/g, ' ') + quote;
      position = stop;
      continue;
    }
    result += char;
    position++;
  }
  return result;
}
