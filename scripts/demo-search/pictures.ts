/** The 24 demo pictures: SVG compositions with distinct layouts and palettes (400×300). */

export type DemoPicture = { slug: string; title: string; link: string; kind: Kind; palette: string[]; seed: number };

type Kind = 'waves' | 'rings' | 'stripes' | 'grid' | 'mountains' | 'sun' | 'dots' | 'diagonal' | 'blocks' | 'poster';

const WIDTH = 400;
const HEIGHT = 300;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const art = (slug: string, title: string, kind: Kind, palette: string[], seed: number): DemoPicture => ({
  slug,
  title,
  link: `https://example.org/art/${slug.replace(/^the-/, '')}`,
  kind,
  palette,
  seed,
});

export const DEMO_PICTURES: DemoPicture[] = [
  art('the-amber-tide', 'The Amber Tide by Mira Solberg (oil on canvas, 1923)', 'waves', ['#3b1d0e', '#b8571b', '#e58e26', '#f6c453', '#fbe3a1'], 1),
  art('harbour-at-dusk', 'Harbour at Dusk by Tomas Arvel (1931)', 'sun', ['#1c2541', '#3a506b', '#5bc0be', '#f4a259', '#f25c54'], 2),
  art('blue-rings', 'Blue Rings, a study by Ilse Varn (1958)', 'rings', ['#03045e', '#0077b6', '#00b4d8', '#90e0ef', '#caf0f8'], 3),
  art('field-of-stripes', 'Field of Stripes by Jonas Reddick (1964)', 'stripes', ['#2d6a4f', '#52b788', '#d8f3dc', '#1b4332', '#95d5b2'], 4),
  art('nine-squares', 'Nine Squares by Ilse Varn (1961)', 'grid', ['#e63946', '#f1faee', '#a8dadc', '#457b9d', '#1d3557'], 5),
  art('the-grey-ridge', 'The Grey Ridge by Halvard Onn (1908)', 'mountains', ['#adb5bd', '#6c757d', '#495057', '#343a40', '#e9ecef'], 6),
  art('crimson-sun', 'Crimson Sun over Vell Bay by Mira Solberg (1927)', 'sun', ['#370617', '#6a040f', '#d00000', '#faa307', '#ffba08'], 7),
  art('violet-dots', 'Violet Dots by Petra Lusk (1970)', 'dots', ['#240046', '#5a189a', '#9d4edd', '#e0aaff', '#10002b'], 8),
  art('green-diagonal', 'Green Diagonal by Jonas Reddick (1966)', 'diagonal', ['#004b23', '#38b000', '#ccff33', '#007200', '#70e000'], 9),
  art('salt-blocks', 'Salt Blocks by Petra Lusk (1973)', 'blocks', ['#f8f9fa', '#dee2e6', '#ced4da', '#212529', '#ffd60a'], 10),
  art('kestrel-festival-poster', 'Kestrel Point Lantern Festival poster (1952)', 'poster', ['#0b132b', '#ffd166', '#ef476f', '#06d6a0', '#ffffff'], 11),
  art('rail-poster', 'Vell Coast Railway travel poster (1936)', 'poster', ['#3d405b', '#e07a5f', '#f4f1de', '#81b29a', '#f2cc8f'], 12),
  art('the-north-swell', 'The North Swell by Mira Solberg (1925)', 'waves', ['#03071e', '#023e8a', '#0096c7', '#48cae4', '#ade8f4'], 13),
  art('orange-rings', 'Orange Rings by Ilse Varn (1959)', 'rings', ['#7f4f24', '#bc6c25', '#dda15e', '#fefae0', '#283618'], 14),
  art('pink-grid', 'Pink Grid by Oskar Fenn (1981)', 'grid', ['#ff0a54', '#ff477e', '#ff85a1', '#fbb1bd', '#590d22'], 15),
  art('winter-peaks', 'Winter Peaks by Halvard Onn (1912)', 'mountains', ['#caf0f8', '#90e0ef', '#0077b6', '#03045e', '#ffffff'], 16),
  art('brown-stripes', 'Brown Stripes by Oskar Fenn (1979)', 'stripes', ['#582f0e', '#7f4f24', '#936639', '#a68a64', '#c2c5aa'], 17),
  art('teal-diagonal', 'Teal Diagonal by Petra Lusk (1975)', 'diagonal', ['#004e64', '#00a5cf', '#9fffcb', '#25a18e', '#7ae582'], 18),
  art('yellow-dots', 'Yellow Dots on Black by Oskar Fenn (1983)', 'dots', ['#000000', '#ffd000', '#ffaa00', '#ff8800', '#ffea00'], 19),
  art('red-blocks', 'Red Blocks by Jonas Reddick (1968)', 'blocks', ['#9d0208', '#dc2f02', '#e85d04', '#f48c06', '#03071e'], 20),
  art('museum-poster', 'Aldmark Maritime Museum opening poster (1961)', 'poster', ['#14213d', '#fca311', '#e5e5e5', '#ffffff', '#000000'], 21),
  art('moon-over-marrow', 'Moon over Marrow Sound by Tomas Arvel (1934)', 'sun', ['#000814', '#001d3d', '#003566', '#ffc300', '#ffd60a'], 22),
  art('quiet-harbour', 'Quiet Harbour by Tomas Arvel (1929)', 'stripes', ['#e9d8a6', '#94d2bd', '#0a9396', '#005f73', '#001219'], 23),
  art('storm-rings', 'Storm Rings by Halvard Onn (1915)', 'rings', ['#212529', '#343a40', '#6c757d', '#dee2e6', '#f8f9fa'], 24),
];

/** Draws a picture as SVG; the layout depends on `kind`, details on `seed`. */
export function pictureSvg(picture: DemoPicture): string {
  const next = random(picture.seed * 7919);
  const colour = (index: number) => picture.palette[index % picture.palette.length]!;
  const shapes: string[] = [];
  const rect = (x: number, y: number, w: number, h: number, fill: string) =>
    shapes.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${w.toFixed(1)}" height="${h.toFixed(1)}" fill="${fill}"/>`);
  const circle = (x: number, y: number, r: number, fill: string) =>
    shapes.push(`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${r.toFixed(1)}" fill="${fill}"/>`);
  rect(0, 0, WIDTH, HEIGHT, colour(0));
  switch (picture.kind) {
    case 'waves':
      for (let band = 0; band < 9; band += 1) {
        const base = 40 + band * 30;
        const amplitude = 12 + next() * 18;
        const phase = next() * Math.PI * 2;
        let path = `M0 ${HEIGHT} L0 ${base}`;
        for (let x = 0; x <= WIDTH; x += 10) path += ` L${x} ${(base + amplitude * Math.sin(x / (30 + band * 4) + phase)).toFixed(1)}`;
        shapes.push(`<path d="${path} L${WIDTH} ${HEIGHT} Z" fill="${colour(1 + (band % 4))}" opacity="0.9"/>`);
      }
      circle(300 + next() * 40, 60, 28, colour(4));
      break;
    case 'rings':
      for (let ring = 8; ring >= 1; ring -= 1) circle(130 + next() * 140, 150, ring * 20, colour(ring));
      break;
    case 'stripes':
      for (let stripe = 0; stripe < 12; stripe += 1) rect(0, stripe * 25, WIDTH, 12 + next() * 13, colour(1 + (stripe % 4)));
      rect(60 + next() * 200, 40, 60, 220, colour(3));
      break;
    case 'grid':
      for (let row = 0; row < 3; row += 1) {
        for (let column = 0; column < 3; column += 1) rect(20 + column * 125, 15 + row * 92, 110, 80, colour(1 + Math.floor(next() * 4)));
      }
      break;
    case 'mountains':
      for (let layer = 0; layer < 4; layer += 1) {
        let path = `M0 ${HEIGHT}`;
        for (let x = 0; x <= WIDTH; x += 50) path += ` L${x} ${(90 + layer * 45 + next() * 70).toFixed(1)}`;
        shapes.push(`<path d="${path} L${WIDTH} ${HEIGHT} Z" fill="${colour(1 + layer)}"/>`);
      }
      break;
    case 'sun':
      rect(0, 180, WIDTH, 120, colour(1));
      circle(120 + next() * 160, 150, 55, colour(3));
      for (let line = 0; line < 6; line += 1) rect(60 + next() * 200, 195 + line * 16, 80 + next() * 120, 5, colour(4));
      break;
    case 'dots':
      for (let dot = 0; dot < 40; dot += 1) circle(next() * WIDTH, next() * HEIGHT, 8 + next() * 26, colour(1 + (dot % 4)));
      break;
    case 'diagonal':
      for (let band = -6; band < 14; band += 1) {
        const x = band * 40;
        shapes.push(`<polygon points="${x},0 ${x + 30},0 ${x + 330},${HEIGHT} ${x + 300},${HEIGHT}" fill="${colour(1 + ((band + 6) % 4))}"/>`);
      }
      break;
    case 'blocks':
      for (let block = 0; block < 14; block += 1) rect(next() * 340, next() * 240, 30 + next() * 110, 30 + next() * 90, colour(1 + (block % 4)));
      break;
    case 'poster':
      rect(30, 30, 340, 160, colour(1));
      circle(200, 110, 55 + next() * 10, colour(2));
      for (let bar = 0; bar < 3; bar += 1) rect(50, 210 + bar * 26, 120 + next() * 180, 14, colour(3 + (bar % 2)));
      shapes.push(`<polygon points="200,40 ${230 + next() * 20},180 ${150 - next() * 20},180" fill="${colour(3)}" opacity="0.8"/>`);
      break;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">${shapes.join('')}</svg>`;
}
