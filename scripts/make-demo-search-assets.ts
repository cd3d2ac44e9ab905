/**
 * Rebuilds the bundled demo search assets in assets/demo/search/:
 * - corpus.jsonl: 300+ encyclopedic passages about a fictional coast (the Vell Coast of Aldmark),
 *   internally consistent; the demo's text-search answer lives only here ("Kestrel Point
 *   Lighthouse": first lit 1871, 34 metres tall);
 * - images/*.jpg + images.jsonl: 24 generated pictures (paintings and posters drawn from SVG) with
 *   titles and source links; one is "The Amber Tide" by Mira Solberg;
 * - queries/amber-tide-photo.jpg: a cropped, resized, re-encoded copy of "The Amber Tide", the
 *   picture the demo's image-search question shows.
 * Deterministic: same script, same bytes.  Run: npx tsx scripts/make-demo-search-assets.ts
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { buildDemoCorpus } from './demo-search/corpus.js';
import { DEMO_PICTURES, pictureSvg } from './demo-search/pictures.js';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../assets/demo/search');

async function main(): Promise<void> {
  rmSync(join(OUT, 'images'), { recursive: true, force: true });
  mkdirSync(join(OUT, 'images'), { recursive: true });
  mkdirSync(join(OUT, 'queries'), { recursive: true });

  const passages = buildDemoCorpus();
  writeFileSync(join(OUT, 'corpus.jsonl'), `${passages.map((passage) => JSON.stringify(passage)).join('\n')}\n`);

  const records: string[] = [];
  for (const picture of DEMO_PICTURES) {
    const file = `images/${picture.slug}.jpg`;
    const bytes = await sharp(Buffer.from(pictureSvg(picture))).jpeg({ quality: 72, mozjpeg: true }).toBuffer();
    writeFileSync(join(OUT, file), bytes);
    records.push(JSON.stringify({ path: file, title: picture.title, link: picture.link }));
  }
  writeFileSync(join(OUT, 'images.jsonl'), `${records.join('\n')}\n`);

  // The demo photo: a 70 % crop of the painting, off-centre, shrunk and re-encoded at low quality.
  const amber = DEMO_PICTURES.find((picture) => picture.slug === 'the-amber-tide')!;
  const painting = await sharp(Buffer.from(pictureSvg(amber))).png().toBuffer();
  const photo = await sharp(painting)
    .extract({ left: 40, top: 30, width: 294, height: 216 })
    .resize(360)
    .modulate({ brightness: 1.04 })
    .jpeg({ quality: 55 })
    .toBuffer();
  writeFileSync(join(OUT, 'queries/amber-tide-photo.jpg'), photo);
  console.log(`wrote ${passages.length} passages, ${records.length} pictures and 1 query photo to ${OUT}`);
}

await main();
