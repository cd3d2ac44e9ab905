import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { createLocalSandbox } from './kernel-sandbox.js';
import { resolveReadOnlyPaths } from './ro-paths.js';
import { sandboxTest } from './testing/sandbox-test.js';

// Outside /tmp: the kernel has its own /tmp, so a shared folder there could never show.
const base = mkdtempSync('/var/tmp/deepeyes-ro-test-');
const shared = join(base, 'images');
const secretDir = join(base, 'secret');
// The sandbox starts when the first test asks for it, after beforeAll has made the folders.
const it = sandboxTest({ poolSize: 0, maxSessions: 2, readOnlyPaths: [shared] });

beforeAll(async () => {
  chmodSync(base, 0o755); // kernels run as other uids
  mkdirSync(join(shared, 'sub'), { recursive: true });
  mkdirSync(secretDir, { mode: 0o700 });
  writeFileSync(join(secretDir, 'key.txt'), 'host secret');
  await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } })
    .png()
    .toFile(join(shared, 'sub', 'a.png'));
  symlinkSync(join(secretDir, 'key.txt'), join(shared, 'absolute-link'));
  symlinkSync('../secret/key.txt', join(shared, 'relative-link'));
  symlinkSync('/etc/shadow', join(shared, 'etc-link'));
});

afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

const python = (lines: string[]) => lines.join('\n');

describe('--ro-path: a host folder read-only inside every kernel', () => {
  it('opens an image by its host path, as the VLMEvalKit init cell does', async ({
    sharedSession: session,
  }) => {
    const execution = await session.execute(
      `from PIL import Image\nimage_1 = Image.open(${JSON.stringify(join(shared, 'sub', 'a.png'))})\nprint(image_1.size, image_1.getpixel((0, 0)))`,
    );
    expect(execution).toMatchObject({ status: 'ok', stdout: '(40, 30) (51, 102, 153)\n' });
  });

  it('cannot be written, renamed into or deleted from', async ({ sharedSession: session }) => {
    const execution = await session.execute(
      python([
        'import os',
        `root = ${JSON.stringify(shared)}`,
        'outcomes = []',
        'for attempt in (',
        "    lambda: open(os.path.join(root, 'new.txt'), 'w'),",
        "    lambda: open(os.path.join(root, 'sub', 'a.png'), 'ab'),",
        "    lambda: os.remove(os.path.join(root, 'sub', 'a.png')),",
        "    lambda: os.mkdir(os.path.join(root, 'd')),",
        "    lambda: os.chmod(os.path.join(root, 'sub'), 0o777),",
        '):',
        '    try:',
        '        attempt(); outcomes.append("done")',
        '    except OSError as error:',
        '        outcomes.append(error.__class__.__name__)',
        'print(outcomes)',
      ]),
    );
    expect(execution.stdout).not.toContain('done');
    expect(execution.stdout).toMatch(/^\[('(OSError|PermissionError)', ){4}'(OSError|PermissionError)'\]\n$/);
  });

  it('shows nothing else of the host: not the folder next to it, nor what its symlinks point at', async ({
    sharedSession: session,
  }) => {
    const execution = await session.execute(
      python([
        'import os',
        `root = ${JSON.stringify(shared)}`,
        `print(sorted(os.listdir(${JSON.stringify(base)})))`,
        `print(os.path.exists(${JSON.stringify(secretDir)}))`,
        "for name in ('absolute-link', 'relative-link', 'etc-link'):",
        '    try:',
        '        print(name, open(os.path.join(root, name)).read())',
        '    except OSError as error:',
        '        print(name, error.__class__.__name__)',
      ]),
    );
    expect(execution.stdout).toBe(
      [
        "['images']",
        'False',
        'absolute-link FileNotFoundError',
        'relative-link FileNotFoundError',
        'etc-link FileNotFoundError',
        '',
      ].join('\n'),
    );
  });
});

describe('checking --ro-path values', () => {
  it('refuses /, a missing path, a file, a relative path, and the places the sandbox mounts itself', () => {
    const file = join(shared, 'sub', 'a.png');
    const cases: [string, string][] = [
      ['/', 'refusing to share the whole host file system'],
      [join(base, 'missing'), 'no such folder on this host'],
      [file, 'is a file, not a folder'],
      ['images', 'not an absolute path'],
      ['/proc/self', 'overlaps /proc'],
      ['/tmp', 'overlaps /tmp'],
      [secretDir, 'kernels could not read it'],
    ];
    for (const [path, message] of cases) {
      expect(() => resolveReadOnlyPaths([path]), path).toThrow(`--ro-path ${path}: ${message}`);
    }
    expect(() => resolveReadOnlyPaths([base], join(shared, 'sub'))).toThrow("holds the sandbox's run dir");
    expect(resolveReadOnlyPaths([`${shared}/`, shared])).toEqual([{ source: shared, target: shared }]);
  });

  it('refuses to start a sandbox with a bad --ro-path, naming it', async () => {
    await expect(createLocalSandbox({ readOnlyPaths: ['/'] })).rejects.toMatchObject({
      code: 'ro-path-invalid',
    });
  });
});
