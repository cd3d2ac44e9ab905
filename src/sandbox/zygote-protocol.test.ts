import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const zygotePath = fileURLToPath(new URL('./python/zygote.py', import.meta.url));

describe('zygote control protocol', () => {
  it('answers a line that is not JSON, or an unknown op, with a failed event and keeps serving', async () => {
    const home = mkdtempSync(join(tmpdir(), 'deepeyes-zygote-'));
    const child = spawn('/usr/bin/python3', ['-I', '-s', zygotePath], {
      env: { PATH: '/usr/bin:/bin', HOME: home, MPLCONFIGDIR: join(home, 'mpl'), DEEPEYES_ISOLATED: '0' },
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const events: unknown[] = [];
    const waiters: (() => void)[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => {
      events.push(JSON.parse(line));
      waiters.shift()?.();
    });
    const next = async () => {
      if (events.length === 0) await new Promise<void>((resolve) => waiters.push(resolve));
      return events.shift();
    };
    try {
      expect(await next()).toMatchObject({ event: 'ready', isolated: false });
      child.stdin.write('this is not json\n');
      expect(await next()).toEqual({
        event: 'failed',
        key: null,
        message: 'JSONDecodeError: Expecting value: line 1 column 1 (char 0)',
      });
      child.stdin.write('{"op": "bogus", "key": "k1"}\n');
      expect(await next()).toEqual({ event: 'failed', key: 'k1', message: "ValueError: unknown op 'bogus'" });
      // Still alive and serving: a kill for an unknown key is a quiet no-op, then EOF ends it cleanly.
      child.stdin.end('{"op": "kill", "key": "none"}\n');
      expect(await exited).toBe(0);
      expect(events).toEqual([]);
    } finally {
      child.kill('SIGKILL');
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);
});
