/**
 * Generates the small benchmark sample sets under test/fixtures/benchmarks/ (images drawn here with sharp
 * from SVG, so nothing is downloaded): a VLMEvalKit TSV, a Hugging Face parquet, a JSONL + image
 * folder and a RealX-Bench-style JSONL, each with a few deliberately corrupt rows, plus a replay
 * library of scripted model turns for the RealX sample. Output is deterministic.
 *
 *   npx tsx scripts/make-benchmark-samples.ts [outDir]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Binary, Field, Int64, List, makeData, makeVector, Struct, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import sharp from 'sharp';

type Shape = { kind: 'circle' | 'square' | 'triangle'; color: string; x: number; y: number; size: number };

/** A PNG with a pale background, some shapes and an optional caption. */
async function drawImage(width: number, height: number, shapes: Shape[], caption?: string): Promise<Uint8Array> {
  const body = shapes
    .map((shape) => {
      if (shape.kind === 'circle') return `<circle cx="${shape.x}" cy="${shape.y}" r="${shape.size / 2}" fill="${shape.color}"/>`;
      if (shape.kind === 'square') {
        return `<rect x="${shape.x - shape.size / 2}" y="${shape.y - shape.size / 2}" width="${shape.size}" height="${shape.size}" fill="${shape.color}"/>`;
      }
      const half = shape.size / 2;
      return `<polygon points="${shape.x},${shape.y - half} ${shape.x - half},${shape.y + half} ${shape.x + half},${shape.y + half}" fill="${shape.color}"/>`;
    })
    .join('');
  const text = caption
    ? `<text x="6" y="${height - 8}" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#222">${caption}</text>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#f4f1ea"/>${body}${text}</svg>`;
  return new Uint8Array(await sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toBuffer());
}

const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

/** pandas' to_csv(sep='\t') quoting: wrap cells holding tabs, newlines or quotes. */
function tsvCell(value: string | number): string {
  const text = String(value);
  return /[\t\n\r"]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

async function makeTsv(directory: string): Promise<void> {
  const colors = ['red', 'blue', 'green', 'orange', 'purple', 'gray'];
  const header = ['index', 'image', 'question', 'hint', 'A', 'B', 'C', 'D', 'answer', 'category', 'l2-category', 'split'];
  const lines = [header.join('\t')];
  // V*-style: the correct answer is always option A in the raw data, so shuffling matters.
  for (let index = 0; index < 6; index++) {
    const color = colors[index]!;
    const image = await drawImage(128, 96, [{ kind: 'circle', color, x: 40 + index * 8, y: 44, size: 30 }], `#${index}`);
    const others = colors.filter((other) => other !== color).slice(0, 3);
    const question = index === 2 ? 'What colour is the circle?\n(Look closely: "circle", not square.)' : 'What is the color of the circle?';
    const category = index < 4 ? 'direct_attributes' : 'relative_position';
    const cells = [index, base64(image), question, index === 1 ? 'The image is synthetic.' : '', color, ...others, 'A', category, 'perception', 'test'];
    lines.push(cells.map(tsvCell).join('\t'));
  }
  // Shares row 0's image by index (VLMEvalKit stores repeated images once).
  lines.push([6, '0', 'Is there a circle in the image?', '', 'yes', 'no', '', '', 'A', 'direct_attributes', 'perception', 'test'].map(tsvCell).join('\t'));
  // Corrupt rows: an image that is not base64 of an image, and a row with a missing cell.
  lines.push([7, 'bm90IGFuIGltYWdlIGF0IGFsbCwganVzdCB0ZXh0IHRoYXQgaXMgbG9uZyBlbm91Z2ggdG8gbG9vayBsaWtlIG9uZQ==', 'Broken image row', '', 'x', 'y', '', '', 'A', 'direct_attributes', 'perception', 'test'].join('\t'));
  lines.push([8, 'What is missing?', 'A', 'B'].join('\t'));
  await writeFile(join(directory, 'vstar-sample.tsv'), `${lines.join('\n')}\n`);
}

async function makeParquet(directory: string): Promise<void> {
  const rows: { pid: string; question: string; answer: string; choices: string[] | null; question_type: string; answer_type: string; precision: number | null; category: string; image: Uint8Array }[] = [];
  const add = async (row: Omit<(typeof rows)[number], 'image'>, shapes: Shape[], caption: string) => {
    rows.push({ ...row, image: await drawImage(120, 90, shapes, caption) });
  };
  await add({ pid: 'mv-1', question: 'How many squares are in the picture?', answer: '3', choices: null, question_type: 'free_form', answer_type: 'integer', precision: null, category: 'counting' }, [0, 1, 2].map((position) => ({ kind: 'square' as const, color: 'teal', x: 20 + position * 35, y: 40, size: 20 })), 'count');
  await add({ pid: 'mv-2', question: 'What fraction of the shapes are circles?', answer: '0.5', choices: null, question_type: 'free_form', answer_type: 'float', precision: 1, category: 'arithmetic' }, [{ kind: 'circle', color: 'red', x: 30, y: 40, size: 24 }, { kind: 'square', color: 'red', x: 80, y: 40, size: 24 }], 'ratio');
  await add({ pid: 'mv-3', question: 'Which shape is largest?', answer: 'triangle', choices: ['circle', 'square', 'triangle'], question_type: 'multi_choice', answer_type: 'text', precision: null, category: 'geometry' }, [{ kind: 'triangle', color: 'navy', x: 60, y: 45, size: 60 }, { kind: 'circle', color: 'gold', x: 20, y: 20, size: 14 }], 'size');
  await add({ pid: 'mv-4', question: 'What is the area of the square if each side is 4 cm?', answer: '16', choices: ['8', '12', '16', '20'], question_type: 'multi_choice', answer_type: 'integer', precision: null, category: 'geometry' }, [{ kind: 'square', color: 'olive', x: 60, y: 45, size: 40 }], '4 cm');
  await add({ pid: 'mv-5', question: 'What is 2.5 times the number shown?', answer: '10', choices: null, question_type: 'free_form', answer_type: 'integer', precision: null, category: 'arithmetic' }, [], 'number 4');
  const imageType = new Struct([new Field('bytes', new Binary(), true), new Field('path', new Utf8(), true)]);
  const imageData = makeData({
    type: imageType,
    length: rows.length + 1,
    nullCount: 0,
    children: [
      // The last row's bytes are not an image: the loader must report it, not crash.
      vectorFromArray([...rows.map((row) => row.image), new TextEncoder().encode('definitely not a png')], new Binary()).data[0]!,
      vectorFromArray([...rows.map((row) => `${row.pid}.png`), 'broken.png'], new Utf8()).data[0]!,
    ],
  });
  const all = [...rows, { pid: 'mv-6', question: 'Broken image row', answer: '1', choices: null, question_type: 'free_form', answer_type: 'integer', precision: null, category: 'counting' }];
  const table = new Table({
    pid: vectorFromArray(all.map((row) => row.pid), new Utf8()),
    question: vectorFromArray(all.map((row) => row.question), new Utf8()),
    answer: vectorFromArray(all.map((row) => row.answer), new Utf8()),
    choices: vectorFromArray(all.map((row) => row.choices), new List(new Field('item', new Utf8(), true))),
    question_type: vectorFromArray(all.map((row) => row.question_type), new Utf8()),
    answer_type: vectorFromArray(all.map((row) => row.answer_type), new Utf8()),
    precision: vectorFromArray(all.map((row) => (row.precision === null ? null : BigInt(row.precision))), new Int64()),
    category: vectorFromArray(all.map((row) => row.category), new Utf8()),
    image: makeVector(imageData),
  });
  const parquet = writeParquet(WasmTable.fromIPCStream(tableToIPC(table, 'stream')));
  await writeFile(join(directory, 'mathvista-sample.parquet'), parquet);
}

async function makeJsonl(directory: string): Promise<void> {
  const imageDirectory = join(directory, 'images');
  await mkdir(imageDirectory, { recursive: true });
  const entries = [
    { id: 'ocr-1', question: 'What word is written in the image?', answer: 'HELLO', category: 'text recognition', caption: 'HELLO' },
    { id: 'ocr-2', question: 'What number is printed?', answer: '42', category: 'text recognition', caption: '42' },
    { id: 'ocr-3', question: 'What is the caption under the circle?', answer: 'sun', category: 'scene text', caption: 'sun', shapes: [{ kind: 'circle' as const, color: 'gold', x: 60, y: 35, size: 40 }] },
  ];
  const lines: string[] = [];
  for (const entry of entries) {
    await writeFile(join(imageDirectory, `${entry.id}.png`), await drawImage(120, 80, entry.shapes ?? [], entry.caption));
    lines.push(JSON.stringify({ id: entry.id, image: `${entry.id}.png`, question: entry.question, answer: entry.answer, category: entry.category }));
  }
  lines.push(JSON.stringify({ id: 'ocr-4', image: 'missing.png', question: 'The image file is missing', answer: 'x', category: 'scene text' }));
  lines.push('{"id": "ocr-5", "question": "truncated line');
  await writeFile(join(directory, 'ocrbench-sample.jsonl'), `${lines.join('\n')}\n`);
}

type RealxEntry = { id: string; query: string; answer: string; perception: number; search: number; reason: number; shapes: Shape[]; caption: string; script: string[] };

/** A RealX-style set (public schema) with a replay library whose scripted answers are right or wrong on purpose. */
async function makeRealx(directory: string): Promise<void> {
  const imageDirectory = join(directory, 'images');
  await mkdir(imageDirectory, { recursive: true });
  const think = (text: string) => `<think>${text}</think>\n`;
  const code = (source: string) => `${think('I should look at the image more closely.')}<code>\n\`\`\`python\n${source}\n\`\`\`\n</code>`;
  const search = (query: string) => `${think('I need outside knowledge.')}<tool_call>\n{"name": "search", "arguments": {"query": "${query}"}}\n</tool_call>`;
  const imageSearch = `${think('Let me search with the image.')}<tool_call>\n{"name": "image_search"}\n</tool_call>`;
  const answer = (text: string) => `${think('I have enough to answer.')}<answer>${text}</answer>`;
  const crop = 'crop = image_1.crop((0, 0, 80, 60))\ncrop = crop.resize((160, 120))\ncrop.show()';
  const entries: RealxEntry[] = [
    { id: 'realx-001', query: 'What colour is the large circle?', answer: 'red or crimson', perception: 1, search: 0, reason: 0, shapes: [{ kind: 'circle', color: 'crimson', x: 60, y: 45, size: 50 }], caption: '', script: [code(crop), answer('Red')] },
    { id: 'realx-002', query: 'How many squares are there?', answer: '4 or four', perception: 1, search: 0, reason: 1, shapes: [0, 1, 2, 3].map((position) => ({ kind: 'square' as const, color: 'teal', x: 18 + position * 28, y: 40, size: 18 })), caption: '', script: [code('print(len([1, 1, 1, 1]))'), answer('4')] },
    { id: 'realx-003', query: 'Which city hosts the landmark shown on the sign?', answer: 'Paris', perception: 1, search: 1, reason: 0, shapes: [{ kind: 'triangle', color: 'sienna', x: 60, y: 40, size: 50 }], caption: 'TOUR', script: [search('TOUR landmark sign city'), answer('Paris')] },
    { id: 'realx-004', query: 'In what year was the team on the poster founded?', answer: '1899', perception: 1, search: 1, reason: 1, shapes: [{ kind: 'circle', color: 'navy', x: 40, y: 40, size: 40 }], caption: 'FCB', script: [code(crop), search('FCB football club founded year'), answer('1899')] },
    { id: 'realx-005', query: 'What is the sum of the two numbers shown?', answer: '12', perception: 1, search: 0, reason: 1, shapes: [], caption: '5 + 7', script: [code('a = 5\nb = 7\nprint(a + b)'), answer('12')] },
    { id: 'realx-006', query: 'Who designed the building in the photo?', answer: 'Gustave Eiffel or Eiffel', perception: 0, search: 1, reason: 0, shapes: [{ kind: 'triangle', color: 'gray', x: 60, y: 40, size: 60 }], caption: '', script: [imageSearch, answer('Gustave Eiffel')] },
    { id: 'realx-007', query: 'What shape is drawn in green?', answer: 'square', perception: 1, search: 0, reason: 0, shapes: [{ kind: 'square', color: 'green', x: 60, y: 40, size: 40 }], caption: '', script: [code('from PIL import ImageDraw\ndraw = ImageDraw.Draw(image_1)\ndraw.rectangle((30, 10, 90, 70), outline="red")\nimage_1.show()'), answer('circle')] },
    { id: 'realx-008', query: 'What is written at the bottom?', answer: 'OPEN', perception: 1, search: 0, reason: 0, shapes: [], caption: 'OPEN', script: [code('from PIL import ImageEnhance\nImageEnhance.Contrast(image_1).enhance(2.0).show()'), answer('OPEN')] },
    { id: 'realx-009', query: 'Which country is the flag colour scheme most associated with?', answer: 'Japan', perception: 1, search: 1, reason: 1, shapes: [{ kind: 'circle', color: 'red', x: 60, y: 45, size: 36 }], caption: '', script: [imageSearch, search('white flag red circle country'), answer('China')] },
    { id: 'realx-010', query: 'How many sides does the shape have in total if doubled?', answer: '6', perception: 1, search: 0, reason: 1, shapes: [{ kind: 'triangle', color: 'purple', x: 60, y: 45, size: 50 }], caption: '', script: [answer('6')] },
    { id: 'realx-011', query: 'What does the abbreviation on the image stand for?', answer: 'World Health Organization or World Health Organisation', perception: 1, search: 1, reason: 0, shapes: [], caption: 'WHO', script: [search('WHO abbreviation'), answer('The World Health Organization')] },
    { id: 'realx-012', query: 'What is the temperature difference between the two labels?', answer: '15', perception: 1, search: 0, reason: 1, shapes: [], caption: '30C / 15C', script: [code('print(30 - 15)'), answer('15 degrees')] },
  ];
  const lines: string[] = [];
  const library: string[] = [];
  for (const entry of entries) {
    await writeFile(join(imageDirectory, `${entry.id}.png`), await drawImage(120, 90, entry.shapes, entry.caption));
    lines.push(JSON.stringify({ id: entry.id, image: `${entry.id}.png`, query: entry.query, answer: entry.answer, perception: entry.perception, search: entry.search, reason: entry.reason }));
    library.push(JSON.stringify({ key: entry.id, turns: entry.script }));
  }
  // Corrupt rows: a flag that is not 0/1, and a row without an answer.
  lines.push(JSON.stringify({ id: 'realx-bad-1', image: 'realx-001.png', query: 'Bad flag', answer: 'x', perception: 'maybe', search: 0, reason: 0 }));
  lines.push(JSON.stringify({ id: 'realx-bad-2', image: 'realx-001.png', query: 'No answer', perception: 1, search: 0, reason: 0 }));
  await writeFile(join(directory, 'realx-sample.jsonl'), `${lines.join('\n')}\n`);
  await writeFile(join(directory, 'replay.jsonl'), `${library.join('\n')}\n`);
}

async function main(): Promise<void> {
  const outDirectory = process.argv[2] ?? join(import.meta.dirname, '..', 'test', 'fixtures', 'benchmarks');
  await rm(outDirectory, { recursive: true, force: true });
  for (const folder of ['tsv', 'parquet', 'jsonl', 'realx']) await mkdir(join(outDirectory, folder), { recursive: true });
  await makeTsv(join(outDirectory, 'tsv'));
  await makeParquet(join(outDirectory, 'parquet'));
  await makeJsonl(join(outDirectory, 'jsonl'));
  await makeRealx(join(outDirectory, 'realx'));
  process.stdout.write(`wrote samples to ${outDirectory}\n`);
}

await main();
