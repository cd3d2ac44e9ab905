import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// Preact through esbuild's automatic JSX runtime; relative base so a bundle works under any path.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  logLevel: 'warn',
});
