import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, linkSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Writes a file whole or not at all (temporary name, then rename), so a kill never leaves half a file. */
export function writeAtomic(path: string, data: string | Uint8Array): string {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${randomUUID()}.tmp`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
  return createHash('sha256').update(data).digest('hex');
}

/** Puts `source` at `target` once: a hard link when the file system allows it, else a copy. */
export function placeFile(source: string, target: string): void {
  if (existsSync(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  const temporary = `${target}.${randomUUID()}.tmp`;
  try {
    linkSync(source, temporary);
  } catch {
    copyFileSync(source, temporary);
  }
  renameSync(temporary, target);
}
