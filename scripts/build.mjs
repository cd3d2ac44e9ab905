#!/usr/bin/env node
// Builds the CLI into dist/: every non-test .ts file under src/ transpiled to one .js file (esbuild, no
// bundling: the layout mirrors src/, so paths relative to a module — assets/, the sandbox's Python files —
// resolve the same from both), plus the non-TypeScript files src/ code reads at run time. Type checking is
// `npm run typecheck`'s job; this only makes `bin/deepeyes.js` start without transpiling (docs/benchmarks.md).
// dist/.build-stamp is written last: bin/deepeyes.js runs dist/ only when the stamp is newer than src/.
// Then the viewer front end (web/dist) is rebuilt when its sources changed since it was built (a content hash,
// scripts/web-bundle.mjs), so `npm test` (pretest) never runs the browser tests against an old bundle.
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensureWebBundle } from './web-bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
// Built beside dist/ and swapped in whole, so a deepeyes already running from dist/ never sees half a build.
const fresh = join(root, `dist.building-${process.pid}`);

function walk(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return entry.name === '__fixtures__' ? [] : walk(path);
    return [path];
  });
}

const files = walk(src);
const entryPoints = files.filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts') && !file.endsWith('.d.ts'));
const started = Date.now();
await build({
  entryPoints,
  outdir: fresh,
  outbase: src,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
});
// Files the code reads beside itself (the sandbox kernel's Python sources).
for (const file of files.filter((file) => file.endsWith('.py'))) {
  const target = join(fresh, relative(src, file));
  mkdirSync(dirname(target), { recursive: true });
  cpSync(file, target);
}
writeFileSync(join(fresh, '.build-stamp'), `${new Date().toISOString()}\n`);
const old = join(root, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(fresh, dist);
rmSync(old, { recursive: true, force: true });
process.stdout.write(`build: ${entryPoints.length} modules into dist/ in ${Date.now() - started} ms\n`);

// DEEPEYES_SKIP_WEB_BUILD=1 leaves web/dist alone (a machine without the front end's dev dependencies).
if (process.env.DEEPEYES_SKIP_WEB_BUILD !== '1') ensureWebBundle(root);
