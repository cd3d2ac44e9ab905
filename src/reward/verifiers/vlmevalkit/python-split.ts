import { isPythonWhitespace } from '../../../protocol/python-text.js';

/** Python's `text.split()` with no argument: runs of Python whitespace separate, empty parts dropped. */
export function pythonSplit(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (const character of text) {
    if (isPythonWhitespace(character)) {
      if (current !== '') parts.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  if (current !== '') parts.push(current);
  return parts;
}

/** Python's `len(text)`: code points, not UTF-16 units. */
export function pythonLength(text: string): number {
  let length = 0;
  for (const _ of text) length += 1;
  return length;
}
