import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';

/** A picture unique to `seed`: blocks of seeded grey levels, so pHashes of different seeds differ. */
export async function patternImage(seed: number, size = 96): Promise<Uint8Array> {
  const cells = 8;
  const raw = Buffer.alloc(size * size * 3);
  let state = (seed * 2654435761) >>> 0 || 1;
  const levels: number[] = [];
  for (let cell = 0; cell < cells * cells; cell++) {
    state = (state * 1103515245 + 12345) >>> 0;
    levels.push((state >>> 16) & 0xff);
  }
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const level = levels[Math.floor((y * cells) / size) * cells + Math.floor((x * cells) / size)]!;
      raw.fill(level, (y * size + x) * 3, (y * size + x) * 3 + 3);
    }
  return new Uint8Array(
    await sharp(raw, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toBuffer(),
  );
}

export type SampleKind = 'easy' | 'toolable' | 'hard';

export type CurationSample = {
  sourcePath: string;
  benchmarkPath: string;
  /** Rows the generator wrote, by kind, before any drop. */
  counts: { rows: number; broken: number; duplicates: number; contaminated: number; tiny: number };
  kinds: Map<string, SampleKind>;
};

const CATEGORIES = ['perception', 'reasoning', 'search'] as const;

/**
 * A JSONL source with images over the three categories and planted problems: broken rows (not
 * JSON, a missing image file), exact and near duplicates, items copied from a benchmark file, a
 * tiny image. Question text carries the kind (easy / toolable / hard) the scripted models read.
 */
export async function makeCurationSample(directory: string, count = 30): Promise<CurationSample> {
  const images = join(directory, 'images');
  await mkdir(images, { recursive: true });
  const lines: string[] = [];
  const kinds = new Map<string, SampleKind>();
  const kindsInOrder: SampleKind[] = ['easy', 'toolable', 'hard'];
  for (let index = 0; index < count; index++) {
    const kind = kindsInOrder[index % 3]!;
    const category = CATEGORIES[Math.floor(index / 3) % 3]!;
    const id = `q${index}`;
    kinds.set(id, kind);
    await writeFile(join(images, `${id}.png`), await patternImage(index + 1));
    lines.push(
      JSON.stringify({
        id,
        question: `[${kind}] What is the code of picture ${index}?`,
        answer: String(100 + index),
        category,
        image: `${id}.png`,
      }),
    );
  }
  // Exact duplicate (same image, same question) and a near duplicate (JPEG re-encode).
  lines.push(
    JSON.stringify({
      id: 'dup-exact',
      question: '[hard] What is the code of picture 2?',
      answer: '102',
      category: 'perception',
      image: 'q2.png',
    }),
  );
  const jpeg = await sharp(await patternImage(6))
    .jpeg({ quality: 80 })
    .toBuffer();
  await writeFile(join(images, 'near.jpg'), jpeg);
  lines.push(
    JSON.stringify({
      id: 'dup-near',
      question: '[hard] what is the code of picture 5',
      answer: '105',
      category: 'perception',
      image: 'near.jpg',
    }),
  );
  // Contaminated: a benchmark question with its picture.
  await writeFile(join(images, 'bench.png'), await patternImage(999));
  lines.push(
    JSON.stringify({
      id: 'contaminated',
      question: 'Which benchmark picture is this?',
      answer: '7',
      category: 'perception',
      image: 'bench.png',
    }),
  );
  // Tiny image.
  await writeFile(
    join(images, 'tiny.png'),
    await sharp({ create: { width: 10, height: 10, channels: 3, background: '#888' } })
      .png()
      .toBuffer(),
  );
  lines.push(
    JSON.stringify({
      id: 'tiny',
      question: '[hard] Tiny?',
      answer: '1',
      category: 'perception',
      image: 'tiny.png',
    }),
  );
  // Broken rows.
  lines.push('{not json');
  lines.push(
    JSON.stringify({
      id: 'missing-image',
      question: 'x',
      answer: '1',
      category: 'search',
      image: 'nowhere.png',
    }),
  );
  const sourcePath = join(directory, 'source.jsonl');
  await writeFile(sourcePath, `${lines.join('\n')}\n`);
  const benchDirectory = join(directory, 'bench');
  await mkdir(join(benchDirectory, 'images'), { recursive: true });
  await writeFile(join(benchDirectory, 'images', 'b.png'), await patternImage(999));
  const benchmarkPath = join(benchDirectory, 'bench.jsonl');
  await writeFile(
    benchmarkPath,
    `${JSON.stringify({ id: 'b1', question: 'Which benchmark picture is this?', answer: '7', image: 'b.png' })}\n`,
  );
  return {
    sourcePath,
    benchmarkPath,
    counts: { rows: count + 6, broken: 2, duplicates: 2, contaminated: 1, tiny: 1 },
    kinds,
  };
}
