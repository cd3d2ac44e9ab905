import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';

/**
 * sha256 over the files in order (name, then bytes, streamed: RL parquets can be large), for a
 * job's `data_hash`; undefined when any file is not on this machine (paths on the cluster's storage).
 */
export async function hashFiles(paths: readonly string[]): Promise<string | undefined> {
  if (paths.length === 0 || !paths.every((path) => existsSync(path))) return undefined;
  const hash = createHash('sha256');
  for (const path of paths) {
    hash.update(`${path}\0`);
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
