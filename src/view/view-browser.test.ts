import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureWebBundle } from '../../scripts/web-bundle.mjs';
import { compareMany } from './compare-runs.js';
import { generateCurationRun } from './testing/generate-curation-run.js';
import { finishPendingItems, generateEvalRun, writeBrokenRuns } from './testing/generate-runs.js';
import { createViewServer } from './view-server.js';
import { webDistDirectory } from './web-directory.js';
import { writeBundle } from './write-bundle.js';

/** In the page: the first observation image has loaded, decoded at the crop's 32 px width. */
const CROP_LOADED = `(() => { const image = document.querySelector('.turn figure img'); return Boolean(image && image.complete && image.naturalWidth === 32); })()`;

const root = mkdtempSync(join(tmpdir(), 'view-browser-'));
const runs = join(root, 'runs');
let browser: Browser;
let page: Page;
let viewer: ReturnType<typeof createViewServer>;
let viewerUrl: string;
let staticServer: Server;
/** One line of a trajectory JSONL folder (rollouts dumped by a trainer). */
const rollout = (id: string) =>
  JSON.stringify({ id, question: `rollout ${id}`, answer: 'a', reference: 'a', correct: true, turns: [] });

/** A run still being written (its own benchmark, so the comparisons leave it out). */
const liveRun = {
  directory: join(runs, 'live'),
  items: 20,
  model: 'scripted-live',
  seed: 1,
  accuracyTenths: 5,
  benchmark: 'live-bench',
  pending: 8,
};

/** A plain static file server: GET only, whole files, no Range support (like the simplest static hosts). */
function plainStaticServer(directory: string): Server {
  return createServer((request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname));
    const file = join(directory, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(directory) || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    const types: Record<string, string> = {
      '.html': 'text/html',
      '.js': 'text/javascript',
      '.css': 'text/css',
      '.json': 'application/json',
      '.png': 'image/png',
    };
    response
      .writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' })
      .end(readFileSync(file));
  });
}

beforeAll(async () => {
  // Rebuilds web/dist when its sources changed since it was built, so the tests never see an old app.
  ensureWebBundle(fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, ''), () => {});
  await generateEvalRun({
    directory: join(runs, 'sft'),
    items: 120,
    model: 'scripted-sft',
    seed: 0,
    accuracyTenths: 4,
  });
  await generateEvalRun({
    directory: join(runs, 'rl'),
    items: 120,
    model: 'scripted-rl',
    seed: 5,
    accuracyTenths: 7,
  });
  await generateEvalRun({
    directory: join(runs, 'grpo'),
    items: 120,
    model: 'scripted-grpo',
    seed: 2,
    accuracyTenths: 6,
  });
  await generateEvalRun(liveRun);
  mkdirSync(join(runs, 'rollouts'), { recursive: true });
  writeFileSync(join(runs, 'rollouts', 'rollouts.jsonl'), `${rollout('t1')}\n${rollout('t2')}\n`);
  writeBrokenRuns(runs);
  generateCurationRun(join(runs, 'curation'));
  viewer = createViewServer({
    directories: [runs],
    cacheDirectory: join(root, 'cache'),
    webDirectory: webDistDirectory(),
  });
  await viewer.app.listen({ host: '127.0.0.1', port: 0 });
  const address = viewer.app.server.address();
  viewerUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
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
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await viewer?.app.close();
  await new Promise((resolve) => (staticServer ? staticServer.close(resolve) : resolve(undefined)));
  rmSync(root, { recursive: true, force: true });
});

describe('deepeyes view in Chromium', () => {
  it('lists runs, with the corrupt one and its error', async () => {
    await page.goto(viewerUrl);
    await page.locator('tr[data-run="runs/sft"]').waitFor();
    expect(await page.locator('tr[data-run="runs/rl"] td').nth(8).textContent()).toMatch(/%$/);
    expect(await page.locator('tr[data-run="runs/corrupt-run"]').textContent()).toMatch(/not a database/);
  });

  it('filters and searches the grid, then opens a trajectory with its crop image', async () => {
    await page.goto(`${viewerUrl}?view=samples&run=runs%2Fsft`);
    await page.locator('.total').filter({ hasText: '120 shown' }).waitFor({ timeout: 5000 });
    await page.selectOption('select[name=tools]', 'both');
    await page.locator('.total').filter({ hasText: '8 shown' }).waitFor({ timeout: 5000 });
    await page.selectOption('select[name=tools]', '');
    await page.fill('input[name=q]', 'marker42');
    await page.press('input[name=q]', 'Enter');
    await page.locator('.total').filter({ hasText: '1 shown' }).waitFor();
    expect(page.url()).toContain('q=marker42');
    await page.locator('.grid .row[data-sample="q00042"]').click();
    const crop = page.locator('.turn figure img').first();
    await crop.waitFor();
    await page.waitForFunction(CROP_LOADED);
    expect(await page.locator('.turn figcaption').first().textContent()).toBe('32×24');
    expect(await page.locator('dd[data-score="verifier"]').textContent()).toBe('exact');
    expect(await page.locator('dd[data-score="judgeVerdict"]').textContent()).toMatch(/^[AB]$/);
    expect(page.url()).toContain('sample=q00042');
  });

  it('opens a rejected teacher trajectory of a curation run in the trajectory view', async () => {
    await page.goto(`${viewerUrl}?run=runs%2Fcuration`);
    const rejected = page.locator('tr[data-attempt="c2#0"] a');
    await rejected.waitFor();
    expect(await page.locator('tr[data-attempt]').count()).toBe(2); // the accepted attempt is not listed
    await rejected.click();
    await page.locator('.trajectory .turn').first().waitFor();
    expect(await page.locator('p.rejected').textContent()).toBe('rejected: code-error');
    expect(await page.locator('.turn pre.stderr').first().textContent()).toContain('NameError: heights');
    expect(await page.locator('.answer b').textContent()).toBe('9');
    expect(page.url()).toContain('attempt=0');
    await page.goBack();
    await page.locator('tr[data-attempt="c3#1"] a').click();
    await page.locator('p.rejected').filter({ hasText: 'wrong-answer' }).waitFor();
  });

  it('compares two runs: flipped items and the McNemar p-value, both trajectories side by side', async () => {
    // The older two-run link still opens.
    await page.goto(`${viewerUrl}?base=runs%2Fsft&other=runs%2Frl`);
    await page.locator('.pvalue').waitFor();
    expect(await page.locator('.pvalue').textContent()).toMatch(/McNemar exact p = [0-9.e-]+/);
    const firstFlip = page.locator('tr[data-flip]').first();
    expect(await page.locator('tr[data-flip]').count()).toBeGreaterThan(0);
    await firstFlip.click();
    await page.locator('.side-by-side .trajectory').nth(1).waitFor();
    expect(await page.locator('.side-by-side .trajectory').count()).toBe(2);
  });

  it("compares a baseline with two runs: each run's flips and p-value, any two side by side", async () => {
    const rows = async (run: string) =>
      (
        (await (await fetch(`${viewerUrl}api/runs/${encodeURIComponent(run)}/rows`)).json()) as {
          rows: { id: string; verdict: string; category: string }[];
        }
      ).rows;
    const [sft, rl, grpo] = await Promise.all(['runs/sft', 'runs/rl', 'runs/grpo'].map(rows));
    const expected = compareMany({ id: 'runs/sft', rows: sft! }, [
      { id: 'runs/rl', rows: rl! },
      { id: 'runs/grpo', rows: grpo! },
    ]);
    await page.goto(viewerUrl);
    await page.getByRole('button', { name: 'Compare runs' }).click();
    await page.locator('section.compared').nth(1).waitFor();
    expect(page.url()).toContain('compare=');
    // Choose the baseline and the runs explicitly: sft against rl and grpo.
    await page.selectOption('select[name=baseline]', 'runs/sft');
    for (const run of ['runs/rl', 'runs/grpo']) {
      const box = page.locator(`input[name=run][value="${run}"]`);
      if (!(await box.isChecked())) await box.check();
    }
    await page.waitForFunction(
      `new URLSearchParams(location.search).get('compare')?.split(',').length === 3`,
    );
    expect(new URL(page.url()).searchParams.get('compare')).toBe('runs/sft,runs/rl,runs/grpo');
    for (const { id, comparison } of expected.runs) {
      const section = page.locator(`section.compared[data-run="${id}"]`);
      await section.locator('.pvalue').waitFor();
      expect(await section.locator('.pvalue').textContent()).toBe(
        `McNemar exact p = ${comparison.mcnemarP.toPrecision(3)}`,
      );
      expect(comparison.flips.length).toBeGreaterThan(0);
      const shown = await section
        .locator('tr[data-flip]')
        .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-flip')));
      expect(shown).toEqual(comparison.flips.slice(0, 200).map((flip) => flip.id));
      // Regressions first.
      expect(await section.locator('tr[data-flip] td:last-child').first().textContent()).toBe(
        comparison.flips[0]!.direction,
      );
    }
    expect(await page.locator('table.by-category thead th').count()).toBe(4);
    // The all-items table lists items flipped in any run first.
    const flippedAnywhere = expected.items.filter((item) => item.flippedIn > 0).length;
    expect(flippedAnywhere).toBeGreaterThan(0);
    const matrix = await page
      .locator('table.items-matrix tbody tr')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-item')));
    expect(matrix).toEqual(expected.items.slice(0, 500).map((item) => item.id));
    // A grpo flip opens baseline vs grpo; then switch the left side to rl.
    const flip = expected.runs[1]!.comparison.flips[0]!;
    await page.locator(`section.compared[data-run="runs/grpo"] tr[data-flip="${flip.id}"]`).click();
    await page.locator('.side-by-side .trajectory').nth(1).waitFor();
    expect(new URL(page.url()).searchParams.get('pair')).toBe('0,2');
    await page.selectOption('select[name=left]', '1');
    await page.waitForFunction(`new URLSearchParams(location.search).get('pair') === '1,2'`);
    await page.locator('.side-by-side h3').filter({ hasText: 'rl' }).waitFor();
    expect(await page.locator('.side-by-side .trajectory').count()).toBe(2);
    // The deep link reopens the same state.
    await page.goto(page.url());
    await page.locator('section.compared[data-run="runs/grpo"] .pvalue').waitFor();
    await page.locator('.side-by-side .trajectory').nth(1).waitFor();
  });

  it('follows a run being written: progress and new verdicts appear without reload', async () => {
    const streams: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/api/events')) streams.push(request.url());
    });
    await page.goto(viewerUrl);
    const progress = page.locator('tr[data-run="runs/live"] progress');
    await progress.waitFor();
    expect(await progress.getAttribute('value')).toBe('12');
    await page.evaluate('window.notReloaded = true');
    await finishPendingItems(liveRun, 2);
    await page.locator('tr[data-run="runs/live"] progress[value="14"]').waitFor({ timeout: 5000 });
    await page.goto(`${viewerUrl}?view=samples&run=runs%2Flive`);
    const row = page.locator('.grid .row[data-sample="q00014"] .verdict');
    await row.waitFor();
    expect(await row.textContent()).toBe('pending');
    await page.evaluate('window.notReloaded = true');
    await finishPendingItems(liveRun, 1);
    await page.waitForFunction(
      `document.querySelector('.grid .row[data-sample="q00014"] .verdict')?.textContent !== 'pending'`,
      undefined,
      { timeout: 5000 },
    );
    expect(await row.textContent()).toMatch(/^(right|wrong)/);
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(streams.length).toBeGreaterThan(0); // followed by server-sent events, not by reloading
    // A folder of trajectory JSONL being appended to: the new line appears as a new row.
    await page.goto(`${viewerUrl}?view=samples&run=runs%2Frollouts`);
    await page.locator('.total').filter({ hasText: '2 shown' }).waitFor();
    appendFileSync(join(runs, 'rollouts', 'rollouts.jsonl'), `${rollout('t3')}\n`);
    await page.locator('.grid .row[data-sample="t3"]').waitFor({ timeout: 5000 });
    expect(await page.locator('.total').textContent()).toBe('3 shown');
    await page.goto(`${viewerUrl}?run=runs%2Flive&sample=q00015`);
    await page.locator('.trajectory').waitFor();
    expect(await page.locator('.trajectory .turn').count()).toBe(0);
    await finishPendingItems(liveRun, 1);
    await page.locator('.trajectory .turn').first().waitFor({ timeout: 5000 });
  });

  it('falls back to polling when the server refuses the event stream', async () => {
    const refusing = createViewServer({
      directories: [runs],
      cacheDirectory: join(root, 'cache'),
      webDirectory: webDistDirectory(),
      maxEventClients: 0,
    });
    await refusing.app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const address = refusing.app.server.address();
      await page.goto(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`);
      await page.locator('tr[data-run="runs/live"] progress[value="16"]').waitFor();
      await finishPendingItems(liveRun, 1);
      await page.locator('tr[data-run="runs/live"] progress[value="17"]').waitFor({ timeout: 8000 });
    } finally {
      await page.goto('about:blank');
      await refusing.app.close();
    }
  });

  it('opens a static bundle from a plain file server, deep link included', async () => {
    const site = join(root, 'site');
    await writeBundle({
      directories: [runs],
      out: site,
      cacheDirectory: join(root, 'cache'),
      webDirectory: webDistDirectory(),
    });
    staticServer = plainStaticServer(site);
    await new Promise<void>((resolve) => staticServer.listen(0, '127.0.0.1', resolve));
    const address = staticServer.address();
    const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    await page.goto(`${base}?run=runs%2Fsft&sample=q00003`);
    await page.waitForFunction(CROP_LOADED);
    await page.goto(`${base}?view=samples&run=runs%2Fsft&q=marker42`);
    await page.locator('.total').filter({ hasText: '1 shown' }).waitFor();
    await page.goto(`${base}?compare=runs%2Fsft,runs%2Frl,runs%2Fgrpo`);
    await page.locator('section.compared[data-run="runs/grpo"] .pvalue').waitFor();
    expect(await page.locator('section.compared .pvalue').count()).toBe(2);
    // A rejected teacher attempt of a curation run opens from the bundle too.
    await page.goto(`${base}?run=runs%2Fcuration&sample=c2&attempt=0`);
    await page.locator('p.rejected').filter({ hasText: 'rejected: code-error' }).waitFor();
    expect(await page.locator('.turn pre.stderr').first().textContent()).toContain('NameError: heights');
  });
});
