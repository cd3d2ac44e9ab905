import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Trajectory } from './trajectory.js';

/**
 * Writes `trajectory.json` and its image files into `dir`; returns the JSON's path.
 * The JSON is written last so a reader never sees it pointing at missing images.
 */
export async function writeTrajectory(
  dir: string,
  trajectory: Trajectory,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [relativePath, bytes] of files) {
    const target = join(dir, relativePath);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, bytes);
  }
  const jsonPath = join(dir, 'trajectory.json');
  await writeFile(jsonPath, `${JSON.stringify(trajectory, null, 2)}\n`);
  return jsonPath;
}
