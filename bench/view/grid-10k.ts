/**
 * bench/view/grid-10k.ts — the viewer on a generated 10,000-sample eval run with images, in Chromium:
 * time to a usable grid on the first open of a never-seen run (the search index then builds in the background),
 * how long that background index takes, time to a usable grid (first page load and reloads), filter and
 * full-text search latency (server answer and until the grid shows the new count), and frame times while
 * scrolling the virtualised grid. Prints medians and the load average; targets: grid ≤ 2 s, filter/search
 * ≤ 200 ms, smooth scroll. Run: npx tsx bench/view/grid-10k.ts [--items N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { generateEvalRun } from '../../src/view/testing/generate-runs.js';
import { createViewServer } from '../../src/view/view-server.js';
import { webDistDirectory } from '../../src/view/web-directory.js';

const itemsFlag = process.argv.indexOf('--items');
const items = itemsFlag > 0 ? Number(process.argv[itemsFlag + 1]) : 10_000;
const root = mkdtempSync(join(tmpdir(), 'bench-view-'));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const percentile = (values: number[], q: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * q))]!;

try {
  const started = performance.now();
  await generateEvalRun({
    directory: join(root, 'runs', 'big'),
    items,
    model: 'scripted',
    seed: 1,
    accuracyTenths: 6,
  });
  console.log(
    `generated ${items} samples with images in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  const path = '?view=samples&run=runs%2Fbig';
  const serve = async (cache: string) => {
    const server = createViewServer({
      directories: [join(root, 'runs')],
      cacheDirectory: join(root, cache),
      webDirectory: webDistDirectory(),
    });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address();
    return {
      server,
      url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/${path}`,
    };
  };
  const gridShown = async (page: import('playwright-core').Page, url: string) => {
    const begin = performance.now();
    await page.goto(url);
    await page
      .locator('.total')
      .filter({ hasText: `${items} shown` })
      .waitFor({ timeout: 120_000 });
    await page.locator('.grid .row[data-sample]').first().waitFor();
    return performance.now() - begin;
  };
  // First open of a run never seen before (no sidecar index): a fresh cache folder each round; the server
  // is closed as soon as the grid shows, which stops its background text index.
  const firstOpen: number[] = [];
  for (let round = 0; round < 3; round++) {
    const { server, url } = await serve(`cache-cold-${round}`);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    firstOpen.push(await gridShown(page, url));
    await page.close();
    await server.app.close();
  }
  const { server: viewer, url } = await serve('cache');
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const openGrid = () => gridShown(page, url);
    // One more first open, then the time until the background text index is complete (search ready).
    let begin = performance.now();
    const firstOpenKept = await openGrid();
    for (;;) {
      const response = await viewer.app.inject({
        method: 'GET',
        url: '/api/runs/runs%2Fbig/samples?limit=1',
      });
      const search = (response.json() as { search: { indexed: number; total: number } }).search;
      if (search.indexed === search.total) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const indexMs = performance.now() - begin;
    begin = performance.now();
    await viewer.app.inject({ method: 'GET', url: '/api/runs/runs%2Fbig' });
    const detailMs = performance.now() - begin;
    const cold = await openGrid();
    const warm: number[] = [];
    for (let round = 0; round < 5; round++) warm.push(await openGrid());

    const api = async (query: string) => {
      const begin = performance.now();
      const response = await viewer.app.inject({
        method: 'GET',
        url: `/api/runs/runs%2Fbig/samples?${query}&limit=200`,
      });
      if (response.statusCode !== 200) throw new Error(response.body);
      return performance.now() - begin;
    };
    const queries = [
      'verdict=wrong',
      'tools=both',
      'toolCategory=crop&capability=reason',
      'turnsMin=2&verdict=right',
      'q=marker4242',
      'q=catalogue%20colour',
      'q=zoom%20corner&verdict=wrong',
    ];
    const filterMs: number[] = [];
    const searchMs: number[] = [];
    for (let round = 0; round < 5; round++)
      for (const query of queries) (query.startsWith('q=') ? searchMs : filterMs).push(await api(query));

    const uiMs: number[] = [];
    for (const [tools, expected] of [
      ['both', null],
      ['', items],
    ] as const) {
      for (let round = 0; round < 3; round++) {
        const begin = performance.now();
        await page.selectOption('select[name=tools]', round % 2 === 0 ? tools : '');
        await page.waitForFunction(`document.querySelector('.total')?.textContent !== '…'`);
        uiMs.push(performance.now() - begin);
        void expected;
      }
    }
    const searchUiMs: number[] = [];
    for (const word of ['marker4242', 'catalogue', 'zoom']) {
      await page.selectOption('select[name=tools]', '');
      await page.waitForFunction(`document.querySelector('.total')?.textContent === '${items} shown'`);
      const begin = performance.now();
      await page.fill('input[name=q]', word);
      await page.press('input[name=q]', 'Enter');
      await page.waitForFunction(
        `document.querySelector('.total')?.textContent !== '${items} shown' && document.querySelector('.total')?.textContent !== '…'`,
      );
      searchUiMs.push(performance.now() - begin);
      await page.fill('input[name=q]', '');
      await page.press('input[name=q]', 'Enter');
    }

    await page.goto(url);
    await page.locator('.grid .row[data-sample]').first().waitFor();
    const frames = (await page.evaluate(`new Promise((resolve) => {
      const grid = document.querySelector('.grid');
      const times = [];
      let last = performance.now();
      const end = last + 3000;
      const step = (now) => {
        times.push(now - last);
        last = now;
        grid.scrollTop += 120;
        if (now < end) requestAnimationFrame(step); else resolve(times);
      };
      requestAnimationFrame(step);
    })`)) as number[];
    const load = loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');
    console.log(`load average ${load} (2 cores)`);
    console.log(
      `first open of a never-seen run, until the grid shows: median ${(median(firstOpen) / 1000).toFixed(2)} s (${firstOpen.map((ms) => (ms / 1000).toFixed(2)).join(', ')}; once more ${(firstOpenKept / 1000).toFixed(2)} s)`,
    );
    console.log(
      `full-text index complete (background) ${(indexMs / 1000).toFixed(1)} s after that open; run analytics ${detailMs.toFixed(0)} ms; grid with the index built: first page load ${(cold / 1000).toFixed(2)} s, reload median ${(median(warm) / 1000).toFixed(2)} s`,
    );
    console.log(
      `server filter median ${median(filterMs).toFixed(1)} ms (max ${Math.max(...filterMs).toFixed(1)}); full-text search median ${median(searchMs).toFixed(1)} ms (max ${Math.max(...searchMs).toFixed(1)})`,
    );
    console.log(
      `in the browser until the grid shows the count: filter median ${median(uiMs).toFixed(0)} ms; search median ${median(searchUiMs).toFixed(0)} ms`,
    );
    console.log(
      `scrolling 120 px a frame for 3 s: ${frames.length} frames, median ${median(frames).toFixed(1)} ms, p95 ${percentile(frames, 0.95).toFixed(1)} ms, longest ${Math.max(...frames).toFixed(1)} ms`,
    );
  } finally {
    await browser.close();
    await viewer.app.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
