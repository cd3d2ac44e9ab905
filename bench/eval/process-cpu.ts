import { readFileSync } from 'node:fs';
import { descendants } from '../sandbox/measure.js';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU used by each process and by its reaped descendants (utime + stime + cutime + cstime),
 * in ms, summed over `pids`. A kernel's CPU reaches the zygote's counters once it has been
 * reaped, so this counts every finished session; missing processes count 0.
 */
export function processTreeCpuMs(pids: number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      // The command name may hold spaces; fields resume after its closing ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // Gone.
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/**
 * The sandbox zygote below `rootPid` (under its bubblewrap wrappers): the process that forks
 * and reaps every kernel helper, so its cumulative counters hold every finished kernel's CPU.
 */
export function sandboxZygotePids(rootPid: number): number[] {
  return descendants(rootPid).filter((pid) => {
    try {
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return !command[0]?.endsWith('bwrap') && command.some((part) => part.endsWith('zygote.py'));
    } catch {
      return false;
    }
  });
}
