import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { renderVegaLiteSvg } from '../../eval/report/charts.js';
import type { MetricStore } from './metric-store.js';
import { buildCurvePanels, panelSpec } from './training-curves.js';

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export type CurvesReport = { htmlPath: string; files: string[]; panels: string[] };

/**
 * Renders the training curves of `run` (SVG and PNG per panel in `outDir/curves/`) and one
 * self-contained `training-report.html` with the SVGs inline and the notes on unreadable lines.
 */
export async function writeCurvesReport(
  store: MetricStore,
  options: { run: string; outDir: string; png?: boolean },
): Promise<CurvesReport> {
  const panels = buildCurvePanels(store.points(options.run));
  const curvesDir = join(options.outDir, 'curves');
  mkdirSync(curvesDir, { recursive: true });
  const files: string[] = [];
  const figures: string[] = [];
  for (const panel of panels) {
    const svg = await renderVegaLiteSvg(panelSpec(panel));
    const svgPath = join(curvesDir, `${panel.name}.svg`);
    writeFileSync(svgPath, svg);
    files.push(svgPath);
    if (options.png !== false) {
      const pngPath = join(curvesDir, `${panel.name}.png`);
      await sharp(Buffer.from(svg), { density: 144 }).png().toFile(pngPath);
      files.push(pngPath);
    }
    figures.push(`<figure data-panel="${panel.name}">${svg}</figure>`);
  }
  const notes = store.notes(options.run);
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Training curves · ${escapeHtml(options.run)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:24px;color:#222}
.grid{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;padding:8px;border:1px solid #ddd;border-radius:6px;background:#fff}
.notes{color:#8a4b00;font-size:13px}
</style></head><body>
<h1>Training curves · ${escapeHtml(options.run)}</h1>
${panels.length === 0 ? '<p>No curve could be drawn: no known metric keys were found.</p>' : `<div class="grid">${figures.join('\n')}</div>`}
${
  notes.length === 0
    ? ''
    : `<h2>Notes (${notes.length})</h2><ul class="notes">${notes
        .slice(0, 200)
        .map((note) => `<li>${escapeHtml(`${note.source}: ${note.note}`)}</li>`)
        .join('')}</ul>`
}
</body></html>
`;
  const htmlPath = join(options.outDir, 'training-report.html');
  writeFileSync(htmlPath, html);
  return { htmlPath, files, panels: panels.map((panel) => panel.name) };
}
