/**
 * Bad files a user can hand deepeyes must end in a user error (exit 2) naming the path, what is wrong and
 * what to do — never the crash handler's "unexpected failure" — and must lose nothing.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TextIndex } from '../search/text/text-index.js';
import { memoryIO } from './io.js';
import { buildProgram } from './main.js';
import { reportError } from './report-error.js';

const dir = mkdtempSync(join(tmpdir(), 'deepeyes-bad-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI as `main` runs it, with output captured. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIO();
  let code = 0;
  try {
    await (await buildProgram(io)).exitOverride().parseAsync(args, { from: 'user' });
  } catch (error) {
    code = reportError(error, io);
  }
  return { code, stdout: io.stdout.join(''), stderr: io.stderr.join('') };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const passage = (id: string | number, text: string) => JSON.stringify({ id, title: `T${id}`, text });
const corpus = file('corpus.jsonl', `${passage(1, 'a red crane')}\n${passage(2, 'a blue boat')}\n`);
const notDatabase = file('notes.sqlite', 'these are notes, not a database\n');

describe('bad files end in a user error naming the path', () => {
  it('a non-SQLite file given as an index', async () => {
    const result = await cli(['search', '--query', 'crane', '--index', notDatabase]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `${notDatabase} is not a SQLite database, so it cannot be used as a text index`,
    );
    expect(result.stderr).toMatch(/hint: Give a file made by `deepeyes index build/);
    expect(result.stderr).not.toMatch(/unexpected failure/);
  });

  it('a non-SQLite file given as --out, which is left untouched', async () => {
    const result = await cli(['index', 'build', '--corpus', corpus, '--out', notDatabase]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${notDatabase} is not a SQLite database`);
    expect(result.stderr).toMatch(/hint: Give --out a new path/);
  });

  it('a corrupt run.sqlite for report', async () => {
    const run = join(dir, 'run-a');
    mkdirSync(run);
    writeFileSync(join(run, 'run.sqlite'), 'SQLite format 3\0 but then garbage'.repeat(40));
    const result = await cli(['report', run]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      new RegExp(`${join(run, 'run.sqlite')} is (not a SQLite|a damaged SQLite) database`),
    );
    expect(result.stderr).toMatch(/hint: Pass the --out of a deepeyes eval run/);
  });

  it('a .parquet corpus that is not parquet', async () => {
    const bad = file('corpus.parquet', 'id,title,text\n1,a,b\n');
    const result = await cli(['index', 'build', '--corpus', bad, '--out', join(dir, 'p.sqlite')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`corpus ${bad} is not a parquet file`);
    expect(existsSync(join(dir, 'p.sqlite'))).toBe(false);
  });

  it('a directory named like a data file', async () => {
    const folder = join(dir, 'folder.jsonl');
    mkdirSync(folder);
    const asCorpus = await cli(['index', 'build', '--corpus', folder, '--out', join(dir, 'd.sqlite')]);
    expect(asCorpus.code).toBe(2);
    expect(asCorpus.stderr).toContain(`corpus ${folder} is a directory, not a file`);
    const asIndex = await cli(['search', '--query', 'x', '--index', folder]);
    expect(asIndex.code).toBe(2);
    expect(asIndex.stderr).toContain(`cannot open text index ${folder}: it is a directory`);
    const asOut = await cli(['index', 'build', '--corpus', corpus, '--out', folder]);
    expect(asOut.code).toBe(2);
    expect(asOut.stderr).toMatch(/it is a directory/);
  });
});

describe('index build', () => {
  it('reports duplicate ids instead of replacing them silently', async () => {
    const dupes = file(
      'dupes.jsonl',
      [passage(1, 'one'), passage(2, 'two'), passage(1, 'one again')].join('\n'),
    );
    const out = join(dir, 'dupes.sqlite');
    const result = await cli(['index', 'build', '--corpus', dupes, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/3 passages read, 2 new, 1 replaced, 2 in the index/);
    expect(result.stderr).toContain('warning: 1 passages had an id already seen');
    expect(result.stderr).toContain('First: 1\n');
  });

  it('reports duplicate picture keys in an image set the same way', async () => {
    const png = join(process.cwd(), 'test/fixtures/benchmarks/jsonl/images/ocr-1.png');
    const record = (title: string, link: string) => JSON.stringify({ path: png, title, link });
    const set = file(
      'pictures.jsonl',
      [
        record('a', 'https://a.example/1'),
        record('b', 'https://b.example/2'),
        record('a again', 'https://a.example/1'),
      ].join('\n'),
    );
    const out = join(dir, 'pictures.sqlite');
    const result = await cli(['index', 'build', '--images', set, '--out', out]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/3 pictures indexed, 1 replaced, 2 in the index/);
    expect(result.stderr).toContain('warning: 1 pictures had a key (path or link) already seen');
    expect(result.stderr).toContain('First: https://a.example/1\n');
  });

  it('leaves no index behind when a fresh build fails, and keeps an existing one whole', async () => {
    const broken = file('broken.jsonl', `${passage(7, 'fine')}\n{"id": 8, "title": "no text"}\n`);
    const fresh = join(dir, 'fresh.sqlite');
    const failed = await cli(['index', 'build', '--corpus', broken, '--out', fresh]);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`${broken}:2 is not a passage`);
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.includes('.building-'))).toEqual([]);

    const existing = join(dir, 'existing.sqlite');
    expect((await cli(['index', 'build', '--corpus', corpus, '--out', existing])).code).toBe(0);
    expect((await cli(['index', 'add', '--corpus', broken, '--out', existing])).code).toBe(2);
    const index = TextIndex.open(existing, { readonly: true });
    try {
      expect(index.stats().passages).toBe(2);
    } finally {
      index.close();
    }
  });
});

describe('reward --input', () => {
  it('names the line and field of a wrong type, and exits non-zero when every line fails', async () => {
    const lines = [
      JSON.stringify({ trajectory: 42, ground_truth: 'a', data_source: 'perception' }),
      'not json',
    ];
    const input = file('rewards.jsonl', `${lines.join('\n')}\n`);
    const result = await cli(['reward', '--input', input, '--no-sympy']);
    expect(result.code).toBe(2);
    const outputs = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(outputs[0].error.message).toMatch(/^Line 1: trajectory: /);
    expect(outputs[1].error.message).toBe('Line 2 is not JSON.');
    expect(result.stderr).toContain(`None of the 2 lines of ${input} could be scored`);
  });
});

describe('a bad --sandbox-url', () => {
  const demo = ['--replay', 'assets/demo/replay.jsonl', '--image', 'assets/demo/images/loading-bay.png'];
  const question = ['--question', 'What number is printed on the small blue tag on the floor?'];

  it('that is not an http(s) address is refused before anything runs', async () => {
    const result = await cli(['run', ...demo, ...question, '--sandbox-url', 'ftp://example.org']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--sandbox-url: a sandbox server address, e.g. http://127.0.0.1:8080');
  });

  it('where no server answers stops the run at its first code call with a sandbox error saying so', async () => {
    const out = join(dir, 'unreachable-sandbox');
    const result = await cli([
      'run',
      ...demo,
      ...question,
      '--sandbox-url',
      'http://127.0.0.1:9',
      '--out',
      out,
    ]);
    expect(result.stderr + result.stdout).toContain(
      'Cannot reach the sandbox server at http://127.0.0.1:9/sessions',
    );
    expect(result.stdout).toContain('stopped: sandbox-error after 1 turn(s)');
    expect(result.stderr).not.toMatch(/unexpected failure/);
    // The trajectory up to the failure is kept.
    expect(readdirSync(out)).toHaveLength(1);
  });
});
