import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SEARCH_DIR } from '../demo-indexes.js';
import { cropForImageSearch } from './crop-for-search.js';
import { ImageIndex } from './image-index.js';
import { readImageSet } from './read-image-set.js';

let dir: string;
let index: ImageIndex;
const amberTide = readFileSync(join(DEMO_SEARCH_DIR, 'images/the-amber-tide.jpg'));
const amberTitle = 'The Amber Tide by Mira Solberg (oil on canvas, 1923)';

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'deepeyes-image-index-'));
  index = ImageIndex.open(join(dir, 'images.sqlite'), { create: true });
  await index.add(readImageSet(join(DEMO_SEARCH_DIR, 'images.jsonl')));
});
afterAll(() => {
  index.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('ImageIndex (pHash + colour near-duplicate search)', () => {
  it('indexes the 24 demo pictures over many windows each', () => {
    expect(index.stats()).toMatchObject({ images: 24, windows: 24 * 225 });
  });

  it.each([
    ['a half-size resize', () => sharp(amberTide).resize(200).png().toBuffer()],
    ['a JPEG re-encode at quality 20', () => sharp(amberTide).jpeg({ quality: 20 }).toBuffer()],
    [
      'a centred 60 % crop',
      () => sharp(amberTide).extract({ left: 80, top: 60, width: 240, height: 180 }).toBuffer(),
    ],
    [
      'an off-centre crop of another aspect',
      () => sharp(amberTide).extract({ left: 150, top: 100, width: 250, height: 200 }).toBuffer(),
    ],
    [
      'a crop, shrunk and re-encoded (the demo photo)',
      () => Promise.resolve(readFileSync(join(DEMO_SEARCH_DIR, 'queries/amber-tide-photo.jpg'))),
    ],
  ])('finds the original first from %s', async (_label, makeQuery) => {
    const hits = await index.search(await makeQuery(), { limit: 5 });
    expect(hits[0]?.title).toBe(amberTitle);
    expect(hits[0]?.link).toBe('https://example.org/art/amber-tide');
    // The hit carries the indexed picture (a JPEG thumbnail) for the observation.
    expect((await sharp(hits[0]!.image!).metadata()).format).toBe('jpeg');
  });

  it('returns nothing for a picture unlike anything indexed', async () => {
    const noise = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#808080' } })
      .composite([
        {
          input: Buffer.from(
            '<svg width="300" height="200"><rect x="20" y="150" width="40" height="40" fill="#00ff00"/><circle cx="250" cy="30" r="20" fill="#ff00ff"/></svg>',
          ),
        },
      ])
      .png()
      .toBuffer();
    expect(await index.search(noise)).toEqual([]);
  });

  it('searches on a region cut out by cropForImageSearch', async () => {
    const region = await cropForImageSearch(amberTide, [0.1, 0.1, 0.8, 0.8], { normalized: true });
    expect(await sharp(region).metadata()).toMatchObject({ width: 280, height: 210, format: 'png' });
    expect((await index.search(region))[0]?.title).toBe(amberTitle);
    const clamped = await cropForImageSearch(amberTide, [350, 250, 900, 900]);
    expect(await sharp(clamped).metadata()).toMatchObject({ width: 50, height: 50 });
  });
});
