/**
 * Takes the screenshots in docs/view.md: generated runs (scripted model), the real server and front end,
 * Chromium through Playwright. Run: npx tsx scripts/view-screenshots.ts (writes docs/images/view-*.png).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { generateEvalRun, writeBrokenRuns } from '../src/view/testing/generate-runs.js';
import { createViewServer } from '../src/view/view-server.js';
import { webDistDirectory } from '../src/view/web-directory.js';

const root = mkdtempSync(join(tmpdir(), 'view-shots-'));
const out = new URL('../docs/images/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
try {
  const runs = join(root, 'runs');
  await generateEvalRun({ directory: join(runs, 'sft'), items: 300, model: 'scripted-sft', seed: 0, accuracyTenths: 4 });
  await generateEvalRun({ directory: join(runs, 'rl'), items: 300, model: 'scripted-rl', seed: 5, accuracyTenths: 6, pending: 40 });
  await generateEvalRun({ directory: join(runs, 'grpo'), items: 300, model: 'scripted-grpo', seed: 2, accuracyTenths: 6 });
  writeBrokenRuns(runs);
  const viewer = createViewServer({ directories: [runs], cacheDirectory: join(root, 'cache'), webDirectory: webDistDirectory() });
  await viewer.app.listen({ host: '127.0.0.1', port: 0 });
  const address = viewer.app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
  const page = await browser.newPage({ viewport: { width: 1300, height: 800 } });
  const shoot = async (url: string, ready: string, name: string) => {
    await page.goto(base + url);
    await page.locator(ready).first().waitFor({ timeout: 60_000 });
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, `view-${name}.png`) });
  };
  await shoot('', 'tr[data-run="runs/corrupt-run"]', 'runs');
  await shoot('?run=runs%2Fsft', '.chart svg', 'run');
  await shoot('?view=samples&run=runs%2Fsft&tools=code&verdict=wrong', '.grid .row[data-sample]', 'samples');
  await shoot('?run=runs%2Fsft&sample=q00003', '.turn figure img', 'trajectory');
  await shoot('?compare=runs%2Fsft,runs%2Frl,runs%2Fgrpo&sample=q00001&pair=0,2', '.side-by-side .trajectory', 'compare');
  await browser.close();
  await viewer.app.close();
} finally {
  rmSync(root, { recursive: true, force: true });
}
