/**
 * Draws the demo's input pictures (no downloads: every pixel is made here).
 * Run: npx tsx scripts/make-demo-images.ts
 */
import { mkdir } from 'node:fs/promises';
import sharp from 'sharp';

const out = 'assets/demo/images';

// A warehouse wall with crates; the small blue tag in the lower right carries the number the question asks for.
const warehouse = `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
  <rect width="1600" height="1000" fill="#c9b79c"/>
  <rect y="760" width="1600" height="240" fill="#7a6a55"/>
  ${Array.from({ length: 7 }, (_, i) => `<rect x="${60 + i * 215}" y="${430 + (i % 2) * 60}" width="190" height="${330 - (i % 2) * 60}" fill="#9c7a4c" stroke="#5b4327" stroke-width="6"/>
  <line x1="${60 + i * 215}" y1="${430 + (i % 2) * 60}" x2="${250 + i * 215}" y2="760" stroke="#5b4327" stroke-width="5"/>`).join('\n  ')}
  <rect x="120" y="80" width="560" height="150" fill="#f2efe6" stroke="#333" stroke-width="4"/>
  <text x="400" y="175" font-family="DejaVu Sans" font-size="64" text-anchor="middle" fill="#333">LOADING BAY</text>
  <rect x="1408" y="842" width="74" height="44" rx="6" fill="#1f5fbf"/>
  <text x="1445" y="875" font-family="DejaVu Sans" font-weight="bold" font-size="28" text-anchor="middle" fill="#fff">47</text>
</svg>`;

// A lighthouse on a headland with a small name board at its foot.
const lighthouse = `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="900">
  <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#6fa8dc"/><stop offset="1" stop-color="#d9ecf7"/></linearGradient></defs>
  <rect width="1200" height="900" fill="url(#sky)"/>
  <rect y="640" width="1200" height="260" fill="#2f5d7c"/>
  <path d="M0 640 Q300 560 700 600 L1200 640 L1200 700 L0 700 Z" fill="#5c7a3a"/>
  <polygon points="560,600 640,600 625,250 575,250" fill="#f4f4f4" stroke="#555" stroke-width="3"/>
  <rect x="575" y="330" width="50" height="40" fill="#c0392b"/><rect x="577" y="450" width="48" height="40" fill="#c0392b"/>
  <rect x="565" y="210" width="70" height="40" fill="#333"/><rect x="575" y="215" width="50" height="30" fill="#ffe680"/>
  <polygon points="560,210 640,210 600,170" fill="#c0392b"/>
  <rect x="680" y="560" width="150" height="50" fill="#f7f1e1" stroke="#4d3b24" stroke-width="3"/>
  <text x="755" y="592" font-family="DejaVu Sans" font-size="19" text-anchor="middle" fill="#4d3b24">KESTREL POINT</text>
  <line x1="755" y1="610" x2="755" y2="640" stroke="#4d3b24" stroke-width="5"/>
</svg>`;

await mkdir(out, { recursive: true });
await sharp(Buffer.from(warehouse)).png().toFile(`${out}/loading-bay.png`);
await sharp(Buffer.from(lighthouse)).jpeg({ quality: 88 }).toFile(`${out}/kestrel-point.jpg`);
console.log(`wrote ${out}/loading-bay.png and ${out}/kestrel-point.jpg`);
