import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';

/**
 * Memory of processes, read from /proc. Async (the libuv thread pool does the reads), so a
 * sample of many kernels never blocks the server's event loop. A process that ends while
 * it is read counts as holding nothing.
 */

/** Children of `pid`, from every one of its threads (a child may be forked by any thread). */
export async function childPids(pid: number): Promise<number[]> {
  let tasks: string[];
  try {
    tasks = await readdir(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children = await Promise.all(
    tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')),
  );
  return children.flatMap((text) => text.split(' ').filter(Boolean).map(Number));
}

/**
 * The process's pid in each PID namespace it belongs to, outermost (the host's) first: the
 * `NSpid` line of /proc/<pid>/status. Empty when the process is gone.
 */
export async function namespacePids(pid: number): Promise<number[]> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const line = /^NSpid:\s+(.*)$/m.exec(status)?.[1];
  return line ? line.trim().split(/\s+/).map(Number) : [];
}

/**
 * Memory of one process in bytes, counting only what the OS cannot give back without ending a
 * process: anonymous and shared-memory pages. File-backed pages (the Python binary, numpy's and
 * PIL's libraries) are page cache: clean ones are reclaimable, and they are shared with every
 * Python on the host, so their PSS share moves whenever an unrelated process maps or unmaps the
 * same files (measured: a sandbox's PSS moved by 40 MB when three other sandboxes started).
 * `pss` (proportional set size) splits the pages a process shares (the zygote's, for a forked
 * kernel) between the sharers, so `pss` summed over processes is what they hold together;
 * `uss` is what it holds alone, what ending it frees. Kernels older than 5.13 lack the
 * `Pss_Anon` line; there the whole PSS is used.
 */
export type ProcessMemory = { pss: number; uss: number };

export async function processMemory(pid: number): Promise<ProcessMemory> {
  return parseSmapsRollup(await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => ''));
}

/** The {@link ProcessMemory} of one `/proc/<pid>/smaps_rollup` text (empty text: nothing held). */
export function parseSmapsRollup(rollup: string): ProcessMemory {
  // One pass over the `Name:   1234 kB` lines: this runs for every kernel at every memory sample.
  const kib = new Map<string, number>();
  for (const match of rollup.matchAll(/^(\w+):\s+(\d+) kB$/gm)) kib.set(match[1]!, Number(match[2]) * 1024);
  const anon = kib.get('Pss_Anon');
  const pss = anon === undefined ? (kib.get('Pss') ?? 0) : anon + (kib.get('Pss_Shmem') ?? 0);
  // Private dirty pages are the process's own heap and copied-on-write pages: anonymous in
  // practice. Private clean pages are mostly file pages only this process maps yet.
  const uss = Math.min(pss, kib.get('Private_Dirty') ?? 0);
  return { pss, uss };
}

/** Memory of `root` and every process below it, summed. */
export async function treeMemory(root: number): Promise<ProcessMemory> {
  const total = { pss: 0, uss: 0 };
  const seen = new Set<number>();
  let frontier = [root];
  // Bounded: a fork bomb's tree is capped by the kernel's process limit anyway.
  while (frontier.length > 0 && seen.size < 4096) {
    const level = frontier.filter((pid) => !seen.has(pid));
    for (const pid of level) seen.add(pid);
    const [sizes, children] = await Promise.all([
      Promise.all(level.map(processMemory)),
      Promise.all(level.map(childPids)),
    ]);
    for (const size of sizes) {
      total.pss += size.pss;
      total.uss += size.uss;
    }
    frontier = children.flat();
  }
  return total;
}

/**
 * RAM this machine gives us, in bytes: MemTotal, or the cgroup's memory limit when a
 * container sets a lower one (cgroup v2 `memory.max`, or v1 `memory.limit_in_bytes`).
 */
export function machineMemoryBytes(): number {
  const meminfo = readText('/proc/meminfo');
  const totalKib = Number(/^MemTotal:\s+(\d+) kB/m.exec(meminfo)?.[1] ?? 0);
  let total = totalKib * 1024;
  for (const path of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    const limit = Number(readText(path).trim());
    if (Number.isFinite(limit) && limit > 0 && (total === 0 || limit < total)) total = limit;
  }
  return total;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
