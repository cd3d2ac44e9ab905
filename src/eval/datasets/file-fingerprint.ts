import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';

/** A content hash of a data file's first `bytes` bytes: what `eval --resume` checks. */
export type DataFingerprint = { bytes: number; sha256: string };

/**
 * Feeds the first `bytes` bytes of `path` into a SHA-256 (or all of it without `bytes`) and returns
 * the hash object, still open, so a scan that reads on can keep feeding it.
 */
export async function hashFilePrefix(path: string, bytes?: number): Promise<{ hash: Hash; read: number }> {
  const hash = createHash('sha256');
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(8 * 1024 * 1024);
  let read = 0;
  try {
    for (;;) {
      const want = bytes === undefined ? buffer.length : Math.min(buffer.length, bytes - read);
      if (want <= 0) break;
      const { bytesRead } = await handle.read(buffer, 0, want, read);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      read += bytesRead;
    }
  } finally {
    await handle.close();
  }
  return { hash, read };
}

/** The digest so far, leaving `hash` open for more bytes. */
export function digestSoFar(hash: Hash): string {
  return hash.copy().digest('hex');
}
