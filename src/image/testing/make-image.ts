import sharp from 'sharp';

/** PIL-style image modes the golden fixtures use. */
export type FixtureMode = 'RGB' | 'RGBA' | 'L' | 'LA' | 'P';

const CHANNELS: Record<FixtureMode, 1 | 2 | 3 | 4> = { RGB: 3, RGBA: 4, L: 1, LA: 2, P: 3 };

/** A PNG of one flat colour in the given mode (`color`: one value per channel, or a grey level / palette index). */
export async function makePng(
  width: number,
  height: number,
  color: number | number[],
  mode: FixtureMode = 'RGB',
): Promise<Uint8Array> {
  const channels = CHANNELS[mode];
  const values = typeof color === 'number' ? Array.from({ length: channels }, () => color) : color;
  const pixel = Array.from({ length: channels }, (_, index) => values[index] ?? 255);
  const image =
    mode === 'RGB' || mode === 'RGBA' || mode === 'P'
      ? sharp({
          create: {
            width,
            height,
            channels: channels === 4 ? 4 : 3,
            background: {
              r: pixel[0]!,
              g: pixel[1]!,
              b: pixel[2]!,
              alpha: channels === 4 ? pixel[3]! / 255 : 1,
            },
          },
        })
      : sharp(Buffer.alloc(width * height * channels, Buffer.from(pixel)), {
          raw: { width, height, channels },
        });
  const png = await (mode === 'P'
    ? image.png({ palette: true })
    : image.png({ compressionLevel: 1 })
  ).toBuffer();
  return new Uint8Array(png);
}
