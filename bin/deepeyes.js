#!/usr/bin/env node
// The `deepeyes` command, one process: signals reach the CLI itself — once — and its own handlers stop
// servers, kernels and evaluations cleanly; no launcher can be killed alone and leave a child orphaned.
// It runs the built JavaScript in dist/ (`npm run build`, done by scripts/setup.sh) when that is at least as
// new as every file under src/; otherwise it says so and compiles the TypeScript in this same process with
// tsx's loader hook (slower start-up: docs/benchmarks.md).
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The newest modification time of the files under a directory that dist/ is built from, in ms. */
function newest(directory) {
  let latest = 0;
  let entries;
  try {
    entries = readdirSync(directory, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (entry.name.endsWith('.test.ts') || entry.name === '__fixtures__') continue;
    const path = join(directory, entry.name);
    const time = entry.isDirectory() ? newest(path) : statSync(path).mtimeMs;
    if (time > latest) latest = time;
  }
  return latest;
}

function builtAt() {
  try {
    return statSync(join(root, 'dist', '.build-stamp')).mtimeMs;
  } catch {
    return undefined;
  }
}

const built = builtAt();
if (built !== undefined && built >= newest(join(root, 'src'))) {
  await import('../dist/cli/entry.js');
} else {
  process.stderr.write(
    `deepeyes: ${built === undefined ? 'dist/ is not built' : 'dist/ is older than src/'}; running the TypeScript source through tsx (slower start; \`npm run build\` fixes this)\n`,
  );
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/entry.ts');
}
