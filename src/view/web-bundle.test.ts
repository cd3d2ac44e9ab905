import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { HASH_FILE, webBundleStaleness, webInputs, webInputsHash } from '../../scripts/web-bundle.mjs';

const root = mkdtempSync(join(tmpdir(), 'web-bundle-'));
const write = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

write('web/index.html', '<div id="app"></div>');
write('web/src/main.tsx', "import { add } from '../../src/view/maths';\nimport './style.css';\n");
write('web/src/style.css', 'body {}');
write('src/view/maths.ts', "import { one } from './one.js';\nexport const add = one;\n");
write('src/view/one.ts', 'export const one = 1;\n');
write('src/view/unrelated.ts', 'export const two = 2;\n');
write('package-lock.json', '{}');

afterAll(() => rmSync(root, { recursive: true, force: true }));

const built = () => {
  write('web/dist/index.html', '<div id="app"></div>');
  write(`web/dist/${HASH_FILE}`, `${webInputsHash(root)}\n`);
};

describe('web bundle staleness', () => {
  it('takes web/, the src modules the app imports (transitively) and the lockfile as inputs', () => {
    const relativePaths = webInputs(root).map((file) => file.slice(root.length + 1));
    expect(relativePaths).toEqual([
      'package-lock.json',
      'src/view/maths.ts',
      'src/view/one.ts',
      'web/index.html',
      'web/src/main.tsx',
      'web/src/style.css',
    ]);
  });

  it('is stale without a build, fresh after one, and stale again when an input changes', () => {
    expect(webBundleStaleness(root)).toMatch(/no built app/);
    write('web/dist/index.html', '<div id="app"></div>');
    expect(webBundleStaleness(root)).toMatch(/no \.inputs-hash/);
    built();
    expect(webBundleStaleness(root)).toBeNull();
    write('web/src/main.tsx', "import { add } from '../../src/view/maths';\nimport './style.css';\nadd;\n");
    expect(webBundleStaleness(root)).toMatch(/changed/);
    built();
    write('src/view/one.ts', 'export const one = 11;\n');
    expect(webBundleStaleness(root)).toMatch(/changed/);
    built();
    write('web/src/new-view.tsx', 'export {};\n');
    expect(webBundleStaleness(root)).toMatch(/changed/);
  });

  it('ignores files the app does not import, the built output and times alone', () => {
    built();
    write('src/view/unrelated.ts', 'export const two = 22;\n');
    write('web/dist/assets/index-abc.js', 'console.log(1)');
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(root, 'web/src/main.tsx'), later, later);
    expect(webBundleStaleness(root)).toBeNull();
  });

  it('follows the real app into src/view/compare-runs.ts', () => {
    const repository = fileURLToPath(new URL('../..', import.meta.url));
    expect(webInputs(repository.replace(/\/$/, ''))).toContain(join(repository, 'src/view/compare-runs.ts'));
  });
});
