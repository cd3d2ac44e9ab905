import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectMetrics } from './collect-metrics.js';
import { MetricStore } from './metric-store.js';
import { writeCurvesReport } from './write-curves-report.js';

const fixtures = new URL('../../../test/fixtures/training/', import.meta.url).pathname;
const directory = mkdtempSync(join(tmpdir(), 'deepeyes-curves-browser-'));
let browser: Browser;
let htmlPath: string;

beforeAll(async () => {
  const store = new MetricStore(join(directory, 'metrics.sqlite'));
  for (const source of collectMetrics(join(fixtures, 'verl-run')))
    store.replaceSource('rl-fixture', source.source, source.points, source.notes);
  htmlPath = (await writeCurvesReport(store, { run: 'rl-fixture', outDir: directory, png: false })).htmlPath;
  store.close();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  rmSync(directory, { recursive: true, force: true });
});

describe('training curves report in Chromium', () => {
  it('shows every panel with drawn lines, the std band and the notes, loading nothing from the network', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
    const external: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:')) external.push(request.url());
    });
    await page.goto(`file://${htmlPath}`);
    const panels = await page.$$eval('figure[data-panel]', (figures) =>
      figures.map((figure) => ({
        name: figure.getAttribute('data-panel'),
        width: figure.getBoundingClientRect().width,
        lines: figure.querySelectorAll('path[aria-roledescription="line mark"]').length,
        areas: figure.querySelectorAll('path[aria-roledescription="area mark"]').length,
      })),
    );
    expect(panels.map((panel) => panel.name)).toEqual([
      'reward-accuracy',
      'response-length',
      'tool-calls',
      'format',
      'tool-shares',
      'loss',
    ]);
    for (const panel of panels) expect(panel.width).toBeGreaterThan(300);
    expect(panels.find((panel) => panel.name === 'reward-accuracy')!.lines).toBe(2);
    expect(panels.find((panel) => panel.name === 'tool-calls')!.areas).toBe(1);
    expect(panels.find((panel) => panel.name === 'tool-shares')!.areas).toBeGreaterThanOrEqual(3);
    expect(await page.textContent('.notes')).toContain(
      'line 12: looks like a metric line but is cut or malformed',
    );
    expect(external).toEqual([]);
    await page.screenshot({ path: join(tmpdir(), 'deepeyes-training-curves.png'), fullPage: true });
  });
});
