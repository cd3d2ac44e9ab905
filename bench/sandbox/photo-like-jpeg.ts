import sharp from 'sharp';

/**
 * A deterministic 2000×1500 JPEG that compresses like a photograph (~2 MiB at quality 90):
 * pseudo-random pixels, unlike a flat fill that JPEG shrinks to nothing. The new-session
 * target is stated for an image of this size.
 */
export async function photoLikeJpeg(): Promise<Buffer> {
  const noise = Buffer.alloc(2000 * 1500 * 3);
  for (let index = 0; index < noise.length; index += 1) noise[index] = (index * 2654435761) >>> 24;
  return sharp(noise, { raw: { width: 2000, height: 1500, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
