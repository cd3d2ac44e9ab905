import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { HASH_FILE, webInputsHash } from '../scripts/web-bundle.mjs';

const web = fileURLToPath(new URL('.', import.meta.url));

/** Records the hash of the sources this build read (taken before it starts), for the staleness check. */
function inputsHash(): Plugin {
  let hash = '';
  return {
    name: 'deepeyes-inputs-hash',
    buildStart() {
      hash = webInputsHash(join(web, '..'));
    },
    closeBundle() {
      writeFileSync(join(web, 'dist', HASH_FILE), `${hash}\n`);
    },
  };
}

// Preact through esbuild's automatic JSX runtime; relative base so a bundle works under any path.
export default defineConfig({
  root: web,
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  plugins: [inputsHash()],
  logLevel: 'warn',
});
