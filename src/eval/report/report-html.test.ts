import { existsSync, statSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReplayChatModel } from '../../model/replay-chat-model.js';
import { runBenchmark } from '../run-benchmark.js';
import { createScorer } from '../scoring/create-scorer.js';
import { createToolFreeRunItem } from '../testing/replay-run-item.js';
import { writeReport } from './write-report.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'benchmarks', 'realx');
const CHROMIUM = '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('report.html in headless Chromium', () => {
  let browser: Browser;
  let htmlPath: string;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'deepeyes-report-'));
    const model = await ReplayChatModel.fromFile(join(fixtures, 'replay.jsonl'));
    await runBenchmark({
      benchmark: 'realx-bench',
      dataPath: join(fixtures, 'realx-sample.jsonl'),
      runDirectory: directory,
      models: [model.name],
      mode: 'agent',
      concurrency: 4,
      seed: 0,
      resume: false,
      judge: null,
      runItem: createToolFreeRunItem(model),
      scorer: createScorer(),
    });
    htmlPath = (await writeReport({ runDirectories: [directory] })).htmlPath;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
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
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('renders both charts with marks, a trajectory with its images, and filters items', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const requests: string[] = [];
    page.on('request', (request) => {
      if (!request.url().startsWith('file:') && !request.url().startsWith('data:'))
        requests.push(request.url());
    });
    await page.goto(pathToFileURL(htmlPath).href);

    expect(await page.locator('#chart-accuracy svg .mark-rect path').count()).toBeGreaterThanOrEqual(5);
    expect(await page.locator('#chart-tool-mix svg .mark-rect path').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('#chart-accuracy svg').textContent()).toContain('Integration');

    const items = page.locator('article.item');
    expect(await items.count()).toBe(12);
    const cropped = page.locator('article.item', { hasText: 'realx-001' });
    await cropped.locator('summary').click();
    await expect.poll(() => cropped.locator('pre.source').first().isVisible()).toBe(true);
    expect(await cropped.locator('pre.source').first().textContent()).toContain(
      'image_1.crop((0, 0, 80, 60))',
    );
    const imageWidths = await cropped
      .locator('img')
      .evaluateAll((images) =>
        images.map((image) => (image as unknown as { naturalWidth: number }).naturalWidth),
      );
    expect(imageWidths.length).toBeGreaterThanOrEqual(2);
    for (const width of imageWidths) expect(width).toBe(120);
    const searched = page.locator('article.item', { hasText: 'realx-003' });
    await searched.locator('summary').click();
    expect(await searched.locator('pre.observation').textContent()).toContain('## Web Results');

    await page.locator('input[data-status="correct"]').uncheck();
    const visibleIds = await page.locator('article.item:not([hidden]) .id').allTextContents();
    expect(visibleIds).toEqual(['realx-007', 'realx-009']);
    await page.locator('input[data-status="correct"]').check();
    await page.locator('#category-filter').selectOption('perception+search+reason');
    expect(await page.locator('article.item:not([hidden]) .id').allTextContents()).toEqual([
      'realx-004',
      'realx-009',
    ]);
    expect(await page.locator('#shown-count').textContent()).toBe('2 of 12 items shown');

    const screenshot = join(directory, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: false });
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    expect(requests).toEqual([]);
    await page.close();
  });
});
