import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, normalize } from 'node:path';
import { UserError } from '../errors.js';
import { SANDBOX_CODE_DIR, SANDBOX_RUN_DIR } from './bwrap-args.js';

/** A host folder shown read-only inside every kernel: `source` (resolved) appears at `target`. */
export type ReadOnlyBind = { source: string; target: string };

/**
 * Places the sandbox builds itself: a folder bound over one of them (or over a parent of
 * one) would hide or break the kernel's own mounts.
 */
const RESERVED = [
  '/proc',
  '/dev',
  '/sys',
  '/tmp',
  '/scratch',
  '/inputs',
  '/ipc',
  SANDBOX_RUN_DIR,
  SANDBOX_CODE_DIR,
];
/** Host places never shared, wherever they would appear: the host's processes and devices. */
const NEVER_SHARED = ['/proc', '/dev', '/sys'];

/**
 * Checks `--ro-path` values and resolves symlinks in them once, at start: each must be an
 * absolute path to an existing directory, not `/` and not over the sandbox's own mounts.
 * Symlinks *inside* the folder are not followed out of it: the kernel resolves them in its
 * own file system view, where nothing else of the host is.
 */
export function resolveReadOnlyPaths(paths: readonly string[], runDir?: string): ReadOnlyBind[] {
  const binds: ReadOnlyBind[] = [];
  for (const given of paths) {
    const refuse = (why: string, hint: string) =>
      new UserError('ro-path-invalid', `--ro-path ${given}: ${why}`, { hint });
    if (!isAbsolute(given)) throw refuse('not an absolute path', 'Give the folder as an absolute path.');
    const target = normalize(given).replace(/(.)\/+$/, '$1');
    if (target === '/') {
      throw refuse('refusing to share the whole host file system', 'Give the folder that holds the images.');
    }
    let source: string;
    try {
      source = realpathSync(target);
    } catch {
      throw refuse('no such folder on this host', 'Check the path; it must exist when the server starts.');
    }
    if (source === '/') throw refuse('resolves to /', 'Give the folder that holds the images.');
    const stat = statSync(source);
    if (!stat.isDirectory()) {
      throw refuse(
        'is a file, not a folder',
        'Give the folder that holds it (every file under it is shared).',
      );
    }
    // Kernels run as their own unprivileged uids: only "others" permissions apply to them.
    if ((stat.mode & 0o005) !== 0o005) {
      throw refuse(
        'kernels could not read it: it is not readable and searchable by other users',
        `Kernels run as their own uid; make it readable, e.g. chmod o+rx ${source} (and o+r on its files).`,
      );
    }
    for (const reserved of RESERVED) {
      if (overlaps(target, reserved)) {
        throw refuse(`overlaps ${reserved}, which the sandbox mounts itself`, 'Share a folder elsewhere.');
      }
    }
    for (const host of NEVER_SHARED) {
      if (overlaps(source, host))
        throw refuse(`resolves to ${source}, under ${host}`, 'Share a data folder.');
    }
    // The run dir holds every session's inputs and sockets: no kernel may see it.
    if (runDir !== undefined && overlaps(source, realpathSync(runDir))) {
      throw refuse(`holds the sandbox's run dir ${runDir}`, 'Share a narrower folder.');
    }
    if (!binds.some((bind) => bind.target === target)) binds.push({ source, target });
  }
  return binds;
}

function overlaps(a: string, b: string): boolean {
  return a === b || a.startsWith(`${b}/`) || b.startsWith(`${a}/`);
}
