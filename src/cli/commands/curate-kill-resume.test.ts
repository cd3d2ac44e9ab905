/**
 * `deepeyes curate difficulty` killed with SIGKILL in the middle of its rollouts, then run again with
 * the same command: the real CLI in a child process, a real SQLite store, a real HTTP model server on
 * 127.0.0.1 (a scripted model: it answers every question wrong and counts its calls). The kill comes
 * from the server when its Nth call arrives (an event, not a timer). After the resume the stage is
 * complete, every rollout is stored exactly once, and no rollout stored before the kill was asked of
 * the model again.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurationStore } from '../../curate/store/curation-store.js';
import { makeCurationSample } from '../../curate/testing/make-curation-sample.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from '../../model/testing/fake-openai-server.js';
import { processIO } from '../io.js';
import { curateConfigFromFlags } from './curate.js';
import { runCurateStages } from './curate-run.js';

const entry = fileURLToPath(new URL('../entry.ts', import.meta.url));
const K = 4;
const KILL_AT_CALL = 60;

/** Every live descendant of `pid`, read from /proc. */
function descendants(pid: number): number[] {
  const found: number[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const current = pending.pop()!;
    const taskDir = `/proc/${current}/task`;
    if (!existsSync(taskDir)) continue;
    for (const task of readdirSync(taskDir)) {
      let children = '';
      try {
        children = readFileSync(`${taskDir}/${task}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const child of children.split(' ').filter(Boolean).map(Number)) {
        found.push(child);
        pending.push(child);
      }
    }
  }
  return found;
}

/** Processes `ps` lists whose command line mentions `needle`. */
function psMatching(needle: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,stat=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(needle) && !/^\s*\d+\s+Z/u.test(line));
}

/** The item and sample of a rollout request: the item by its question, the sample by its seed. */
function rolloutKey(
  request: FakeOpenAIServer['requests'][number],
  idOfQuestion: Map<string, string>,
  baseSeed: number,
): string {
  const text = JSON.stringify(request.messages);
  const id = [...idOfQuestion].find(([question]) =>
    text.includes(JSON.stringify(question).slice(1, -1)),
  )?.[1];
  return `${id ?? '?'}/${Number((request as { seed?: unknown }).seed) - baseSeed}`;
}

function alive(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
    return state !== undefined && state !== 'Z';
  } catch {
    return false;
  }
}

describe('deepeyes curate difficulty: SIGKILL mid-stage, then resume (real child process, scripted model server)', () => {
  let directory: string;
  let out: string;
  let server: FakeOpenAIServer;
  let child: ChildProcess | undefined;
  const onCall: { handler?: (index: number) => void } = {};
  let baseSeed = 0;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'curate-kill-'));
    out = join(directory, 'out');
    const sample = await makeCurationSample(join(directory, 'data'), 40);
    server = await startFakeOpenAIServer({
      latencyMs: 5,
      reply: (_request, index) => {
        onCall.handler?.(index);
        return '<think>hm</think>\n<answer>no idea</answer>';
      },
    });
    // Ingest and clean in this process (they make no model call); the rollout stage runs in the child.
    const config = await curateConfigFromFlags({ out, source: [sample.sourcePath], mix: true });
    baseSeed = config.difficulty.seed;
    const prepared = await runCurateStages(config, ['ingest', 'clean'], { ...processIO(), err: () => {} });
    expect(prepared.finished).toBe(true);
  });

  afterAll(async () => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await server?.close();
    await rm(directory, { recursive: true, force: true });
  });

  const command = () => [
    '--import',
    'tsx',
    entry,
    'curate',
    'difficulty',
    '--out',
    out,
    '--student',
    server.url,
    '--student-model',
    'fake-model',
    '-k',
    String(K),
    '--concurrency',
    '4',
  ];

  function runChild(): {
    process: ChildProcess;
    exited: Promise<{ code: number | null; signal: string | null }>;
  } {
    const spawned = spawn(process.execPath, command(), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    spawned.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
      spawned.once('exit', (code, signal) => {
        if (code !== 0 && signal === null) console.error(stderr);
        resolve({ code, signal });
      }),
    );
    child = spawned;
    return { process: spawned, exited };
  }

  it('loses nothing, duplicates nothing and regenerates no stored rollout', async () => {
    const idOfQuestion = (() => {
      const store = new CurationStore(out);
      try {
        return new Map(
          store
            .stageItems('clean', 'kept')
            .map((row) => [(row.data as { question: string }).question, row.id] as const),
        );
      } finally {
        store.close();
      }
    })();
    const items = idOfQuestion.size;
    expect(items).toBeGreaterThan(30);
    const total = items * K;
    expect(KILL_AT_CALL).toBeLessThan(total / 2);

    // Run 1: SIGKILL when the model server receives its KILL_AT_CALL-th call.
    let tree: number[] = [];
    const first = runChild();
    onCall.handler = (index) => {
      if (index !== KILL_AT_CALL) return;
      tree = descendants(first.process.pid!);
      first.process.kill('SIGKILL');
    };
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    onCall.handler = undefined;
    const callsInFirst = server.requests.length;
    expect(callsInFirst).toBeGreaterThanOrEqual(KILL_AT_CALL + 1);

    // What survived the kill: rollouts committed to SQLite (WAL) before it.
    const storedAfterKill = (() => {
      const database = new Database(join(out, 'curation.sqlite'), { readonly: true });
      try {
        const rows = database.prepare("SELECT id, sample FROM rollouts WHERE stage = 'difficulty'").all() as {
          id: string;
          sample: number;
        }[];
        const finished = database
          .prepare("SELECT finished_at FROM stage_runs WHERE stage = 'difficulty'")
          .pluck()
          .get();
        expect(finished).toBeNull();
        return rows;
      } finally {
        database.close();
      }
    })();
    expect(storedAfterKill.length).toBeGreaterThan(0);
    expect(storedAfterKill.length).toBeLessThan(total);

    // Run 2: the same command, to the end.
    const second = runChild();
    expect(await second.exited).toEqual({ code: 0, signal: null });
    const secondRequests = server.requests.slice(callsInFirst);

    const database = new Database(join(out, 'curation.sqlite'), { readonly: true });
    try {
      const rollouts = database
        .prepare("SELECT id, sample FROM rollouts WHERE stage = 'difficulty'")
        .all() as { id: string; sample: number }[];
      // Complete and exactly once.
      expect(rollouts).toHaveLength(total);
      expect(new Set(rollouts.map((row) => `${row.id}/${row.sample}`)).size).toBe(total);
      const decided = database
        .prepare("SELECT status, COUNT(*) AS n FROM stage_items WHERE stage = 'difficulty' GROUP BY status")
        .all() as { status: string; n: number }[];
      // Never right: every item is hard enough to keep.
      expect(decided).toEqual([{ status: 'kept', n: items }]);
      expect(
        database.prepare("SELECT finished_at FROM stage_runs WHERE stage = 'difficulty'").pluck().get(),
      ).not.toBeNull();
      // Samples run with seeds 0..k-1, one model call each (no tools: the answer comes at once).
      const storedKeys = new Set(storedAfterKill.map((row) => `${row.id}/${row.sample}`));
      const askedAgain = secondRequests.map((request) => rolloutKey(request, idOfQuestion, baseSeed));
      expect(askedAgain.filter((key) => key.startsWith('?/'))).toEqual([]);
      expect(askedAgain.filter((key) => storedKeys.has(key))).toEqual([]);
      expect(new Set(askedAgain).size).toBe(askedAgain.length);
      // At most the missing rollouts were generated; fewer when a reply cached before the kill is reused.
      expect(secondRequests.length).toBeLessThanOrEqual(total - storedAfterKill.length);
      expect(callsInFirst + secondRequests.length).toBeGreaterThanOrEqual(total);
    } finally {
      database.close();
    }

    // Nothing of the killed run, nor of the resumed one, is left running.
    expect(tree.filter(alive)).toEqual([]);
    expect(psMatching(out)).toEqual([]);
  }, 120_000);
});
