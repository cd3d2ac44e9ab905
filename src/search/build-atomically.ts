import { copyFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Runs `build` on a temporary copy of the SQLite file `out` (a fresh path when `out` does not exist) and
 * moves it into place only when `build` succeeds: a failed or interrupted build leaves `out` as it was
 * (absent, or the previous index), never an empty or half-built index under the real name.
 */
export async function buildAtomically<T>(out: string, build: (tempPath: string) => Promise<T>): Promise<T> {
  const temp = join(dirname(out), `.${basename(out)}.building-${process.pid}`);
  await removeDatabase(temp);
  const existing = await stat(out).catch(() => undefined);
  // A directory or other non-file is left for the opener to refuse with a clear message.
  if (existing?.isFile()) await copyFile(out, temp);
  let result: T;
  try {
    result = await build(existing && !existing.isFile() ? out : temp);
  } catch (error) {
    await removeDatabase(temp);
    // The user knows the file by its real name, not by the temporary copy's.
    if (error instanceof Error) error.message = error.message.split(temp).join(out);
    throw error;
  }
  if (existing && !existing.isFile()) return result;
  await rm(`${temp}-wal`, { force: true });
  await rm(`${temp}-shm`, { force: true });
  await rename(temp, out);
  return result;
}

async function removeDatabase(path: string): Promise<void> {
  for (const suffix of ['', '-wal', '-shm', '-journal']) await rm(`${path}${suffix}`, { force: true });
}
