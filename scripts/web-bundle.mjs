// Whether the viewer's built front end (web/dist) is older than its sources, and rebuilding it when it is.
// The inputs are every file under web/ except web/dist, the src/ modules the app imports (followed through
// their relative imports), and package-lock.json (dependency versions end up in the bundle). Their content
// hash is written to web/dist/.inputs-hash after each build (by web/vite.config.ts), so a checkout whose
// web sources changed, or a git operation that only touched their times, is told apart by content.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

export const HASH_FILE = '.inputs-hash';

function walk(directory, skip) {
  if (!existsSync(directory)) return [];
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) return skip(path) ? [] : walk(path, skip);
    return entry.isFile() ? [path] : [];
  });
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The file a relative import names: as written, or `.js` standing for `.ts`/`.tsx`, or with an extension added. */
function resolveImport(from, specifier) {
  const base = resolve(dirname(from), specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.js$/, '.tsx'),
    `${base}.ts`,
    `${base}.tsx`,
    join(base, 'index.ts'),
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

/** The files the web bundle is built from, as absolute paths, sorted. */
export function webInputs(root) {
  const web = join(root, 'web');
  const own = walk(web, (path) => path === join(web, 'dist') || path.endsWith(`${sep}node_modules`));
  const files = new Set(own);
  const queue = own.filter((file) => /\.(ts|tsx|mts|js|mjs)$/.test(file));
  while (queue.length > 0) {
    const file = queue.pop();
    for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const target = resolveImport(file, match[1]);
      if (!target || files.has(target) || !target.startsWith(root + sep)) continue;
      files.add(target);
      if (/\.(ts|tsx|mts|js|mjs)$/.test(target)) queue.push(target);
    }
  }
  const lock = join(root, 'package-lock.json');
  if (existsSync(lock)) files.add(lock);
  return [...files].sort();
}

/** SHA-256 over the inputs' paths (relative to root) and contents. */
export function webInputsHash(root) {
  const hash = createHash('sha256');
  for (const file of webInputs(root)) {
    hash.update(relative(root, file).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Why web/dist must be rebuilt, or null when it was built from the current inputs. */
export function webBundleStaleness(root) {
  const dist = join(root, 'web', 'dist');
  if (!existsSync(join(dist, 'index.html'))) return 'web/dist holds no built app';
  const hashFile = join(dist, HASH_FILE);
  if (!existsSync(hashFile)) return `web/dist has no ${HASH_FILE} (built by an older build)`;
  if (readFileSync(hashFile, 'utf8').trim() !== webInputsHash(root))
    return 'web sources changed since web/dist was built';
  return null;
}

/** Rebuilds web/dist (`npm run build:web`) when stale; returns what it did. Throws when the build fails. */
export function ensureWebBundle(root, log = (line) => process.stdout.write(`${line}\n`)) {
  const reason = webBundleStaleness(root);
  if (!reason) return 'fresh';
  log(`build: rebuilding the viewer front end: ${reason}`);
  const started = Date.now();
  const result = spawnSync('npm', ['run', '--silent', 'build:web'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm run build:web failed (exit ${result.status ?? result.signal})`);
  log(`build: viewer front end built in ${Date.now() - started} ms`);
  return 'rebuilt';
}
