import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** DESIGN.md's layer order: a layer imports only itself and layers below. `src/errors.ts` is shared by all. */
const LAYERS = [
  'protocol',
  'image',
  'sandbox',
  'search',
  'model',
  'agent',
  'reward',
  'env',
  'eval',
  'curate',
  'train',
  'serve',
  'view',
  'cli',
] as const;

const SRC = resolve(import.meta.dirname, '../../src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Relative specifiers of every static import, re-export and dynamic import in a file. */
function importsOf(text: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;
  return Array.from(text.matchAll(pattern), (match) => match[1] ?? '');
}

/** Layer rank of a path under src/, or undefined for the shared bottom (src/errors.ts). */
function layerOf(path: string): { rank: number; name: string } | undefined {
  const top = relative(SRC, path).split(/[\\/]/)[0] ?? '';
  if (top === 'errors.ts' || top === 'errors.js') return undefined;
  const rank = (LAYERS as readonly string[]).indexOf(top);
  if (rank < 0)
    throw new Error(`src/${top} is not a known layer: add it to LAYERS in the order DESIGN.md gives`);
  return { rank, name: top };
}

function upwardImports(): string[] {
  const violations: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = layerOf(file);
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const target = resolve(dirname(file), specifier);
      if (!target.startsWith(SRC)) continue;
      const to = layerOf(target);
      if (from === undefined) {
        if (to !== undefined) violations.push(`${relative(SRC, file)} (shared bottom) imports ${specifier}`);
        continue;
      }
      if (to !== undefined && to.rank > from.rank) {
        violations.push(`${relative(SRC, file)} (${from.name}) imports ${specifier} (${to.name})`);
      }
    }
  }
  return violations;
}

describe('the layer rule', () => {
  it('finds imports in every form', () => {
    expect(
      importsOf(
        "import a from '../x.js';\nexport { b } from './y.js';\nconst c = await import('../z.js');\nimport './w.js';",
      ),
    ).toEqual(['../x.js', './y.js', '../z.js', './w.js']);
  });

  it('has no import going up a layer anywhere in src/', () => {
    expect(upwardImports()).toEqual([]);
  });
});
