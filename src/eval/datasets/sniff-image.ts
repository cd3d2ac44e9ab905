/** Recognises image bytes by their signature, so a corrupt row is caught at load time, not mid-run. */
export function sniffImageType(
  bytes: Uint8Array,
): 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'tiff' | undefined {
  const at = (index: number) => bytes[index] ?? -1;
  if (at(0) === 0x89 && at(1) === 0x50 && at(2) === 0x4e && at(3) === 0x47) return 'png';
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'jpeg';
  if (at(0) === 0x47 && at(1) === 0x49 && at(2) === 0x46) return 'gif';
  if (
    at(0) === 0x52 &&
    at(1) === 0x49 &&
    at(2) === 0x46 &&
    at(3) === 0x46 &&
    at(8) === 0x57 &&
    at(9) === 0x45
  )
    return 'webp';
  if (at(0) === 0x42 && at(1) === 0x4d) return 'bmp';
  if (
    (at(0) === 0x49 && at(1) === 0x49 && at(2) === 0x2a) ||
    (at(0) === 0x4d && at(1) === 0x4d && at(3) === 0x2a)
  )
    return 'tiff';
  return undefined;
}

/** Decodes base64 image text; returns undefined when it is not base64 of a known image format. */
export function decodeBase64Image(text: string): Uint8Array | undefined {
  const trimmed = text.trim().replace(/^data:image\/[a-z+]+;base64,/, '');
  if (trimmed.length < 16 || !/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) return undefined;
  const bytes = new Uint8Array(Buffer.from(trimmed, 'base64'));
  return sniffImageType(bytes) ? bytes : undefined;
}

/**
 * Whether the first characters of a base64 cell (or a pandas-quoted one, or a data URI) decode to
 * a known image signature: the load-time check for a cell whose full decoding waits for its item.
 */
export function sniffBase64Head(head: string): boolean {
  const text = head
    .replace(/^["'\s[]+/, '')
    .replace(/^data:image\/[a-z+]+;base64,/, '')
    .replace(/\s/g, '');
  const usable = /^[A-Za-z0-9+/]*/.exec(text)![0];
  if (usable.length < 16) return false;
  const bytes = new Uint8Array(Buffer.from(usable.slice(0, usable.length - (usable.length % 4)), 'base64'));
  return sniffImageType(bytes) !== undefined;
}
