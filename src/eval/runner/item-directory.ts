import { join } from 'node:path';
import { hashString } from '../seeded-random.js';

/**
 * `trajectories/<item id>`; ids with characters unsafe in file names get them replaced and a hash
 * suffix so two ids never share a folder.
 */
export function itemDirectoryName(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return safe === id && !/^\.+$/.test(id) ? id : `${safe}-${hashString(id).toString(16)}`;
}

export function itemDirectory(runDirectory: string, id: string): string {
  return join(runDirectory, 'trajectories', itemDirectoryName(id));
}
