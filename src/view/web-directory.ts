import { fileURLToPath } from 'node:url';

/** Where `npm run build:web` puts the built front end (`web/dist` in the package). */
export function webDistDirectory(): string {
  return fileURLToPath(new URL('../../web/dist', import.meta.url));
}
