import { realpath } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';

/**
 * Resolves `requested` (a path relative to `base`, already URL-decoded) to a real file inside `root`, or
 * undefined. Symlinks are followed before the check, so a link pointing out of `root` is refused, as are
 * `..` segments, absolute paths, backslashes and NUL bytes.
 */
export async function resolveInside(
  root: string,
  base: string,
  requested: string,
): Promise<string | undefined> {
  if (requested.includes('\0') || requested.includes('\\') || isAbsolute(requested)) return undefined;
  if (requested.split('/').some((segment) => segment === '..')) return undefined;
  let realRoot: string;
  let realTarget: string;
  try {
    realRoot = await realpath(root);
    realTarget = await realpath(resolve(base, requested));
  } catch {
    return undefined;
  }
  return isWithin(realRoot, realTarget) ? realTarget : undefined;
}

export function isWithin(root: string, target: string): boolean {
  const path = relative(root, target);
  return path === '' || (!path.startsWith(`..${sep}`) && path !== '..' && !isAbsolute(path));
}
