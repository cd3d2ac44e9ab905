import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSmapsRollup, processMemory } from './process-memory.js';

const MB = 2 ** 20;

// Captured from a forked kernel on Linux 6.x (values in kB).
const ROLLUP = `55d0c0a3b000-7ffd5e1f3000 ---p 00000000 00:00 0                          [rollup]
Rss:              151240 kB
Pss:               52310 kB
Pss_Dirty:         47020 kB
Pss_Anon:          47100 kB
Pss_File:           4200 kB
Pss_Shmem:          1010 kB
Shared_Clean:      98000 kB
Shared_Dirty:      44000 kB
Private_Clean:       900 kB
Private_Dirty:      9300 kB
`;

describe('parseSmapsRollup', () => {
  it('counts anonymous and shared-memory pages, not file pages', () => {
    expect(parseSmapsRollup(ROLLUP)).toEqual({ pss: (47100 + 1010) * 1024, uss: 9300 * 1024 });
  });

  it('falls back to the whole PSS on kernels without the Pss_Anon line', () => {
    const old = 'Rss:  2000 kB\nPss:  1500 kB\nPrivate_Clean:  100 kB\nPrivate_Dirty:  700 kB\n';
    expect(parseSmapsRollup(old)).toEqual({ pss: 1500 * 1024, uss: 700 * 1024 });
  });

  it('reads a vanished process (empty text) as holding nothing', () => {
    expect(parseSmapsRollup('')).toEqual({ pss: 0, uss: 0 });
  });
});

describe('processMemory (a real Python process)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'deepeyes-pm-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A Python that runs each line it is sent and answers "ok" when done. */
  function python() {
    const child = spawn(
      '/usr/bin/python3',
      ['-u', '-c', 'import sys\nfor line in sys.stdin:\n    exec(line)\n    print("ok")'],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    children.push(child);
    const lines = createInterface({ input: child.stdout });
    const replies: string[] = [];
    const waiting: ((line: string) => void)[] = [];
    lines.on('line', (line) => (waiting.shift() ?? ((l: string) => replies.push(l)))(line));
    const run = (code: string) =>
      new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`python did not answer: ${code}`)), 10_000);
        waiting.push((line) => {
          clearTimeout(timer);
          resolve(line);
        });
        child.stdin.write(`${code}\n`);
      });
    return { pid: child.pid as number, run };
  }

  it('grows with the heap and not with a file read through mmap', async () => {
    const file = join(dir, 'pages.bin');
    writeFileSync(file, Buffer.alloc(64 * MB, 1));
    const proc = python();
    await proc.run('pass');
    const before = await processMemory(proc.pid);

    await proc.run(
      `import mmap; f = open(${JSON.stringify(file)}, "rb"); m = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ); s = sum(m[i] for i in range(0, len(m), 4096))`,
    );
    const mapped = await processMemory(proc.pid);
    expect(mapped.pss - before.pss).toBeLessThan(4 * MB);

    await proc.run('heap = bytearray(48 * 2**20)');
    const grown = await processMemory(proc.pid);
    expect(grown.uss - mapped.uss).toBeGreaterThan(46 * MB);
    expect(grown.pss - mapped.pss).toBeGreaterThan(46 * MB);
  });
});
