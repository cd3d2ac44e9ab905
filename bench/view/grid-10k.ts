/**
 * bench/view/grid-10k.ts — the viewer on a generated 10,000-sample eval run with images, in Chromium:
 * the sidecar index build (first open of a run), time to a usable grid (first page load and reloads), filter and
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
  const viewer = createViewServer({
    directories: [join(root, 'runs')],
    cacheDirectory: join(root, 'cache'),
    webDirectory: webDistDirectory(),
  });
  await viewer.app.listen({ host: '127.0.0.1', port: 0 });
  const address = viewer.app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/?view=samples&run=runs%2Fbig`;
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const openGrid = async () => {
      const begin = performance.now();
      await page.goto(url);
      await page
        .locator('.total')
        .filter({ hasText: `${items} shown` })
        .waitFor({ timeout: 120_000 });
      await page.locator('.grid .row[data-sample]').first().waitFor();
      return performance.now() - begin;
    };
    // The first open builds the sidecar index (every trajectory file read once); timed on its own.
    let begin = performance.now();
    await viewer.app.inject({ method: 'GET', url: '/api/runs/runs%2Fbig/samples?limit=1' });
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
      `sidecar index build ${(indexMs / 1000).toFixed(1)} s, run analytics ${detailMs.toFixed(0)} ms; usable grid (index built): first page load ${(cold / 1000).toFixed(2)} s, reload median ${(median(warm) / 1000).toFixed(2)} s`,
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
