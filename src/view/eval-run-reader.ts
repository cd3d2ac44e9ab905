import { readFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import Database from 'better-sqlite3';
import { type RunAnalytics, summarizeRun } from '../eval/analytics/summarize-run.js';
import {
  decodeItemRow,
  runConfigSchema,
  type StoredItem,
  type StoredItemRow,
} from '../eval/runner/run-store.js';
import type { SampleRow } from './sample-filter.js';
import type { IndexedSample, SampleIndex } from './sample-index.js';
import { sampleText } from './sample-text.js';
import { toolsUsed } from './tools-used.js';
import { rewriteImagePaths } from './trajectory-images.js';

/** Stamp prefix of a grid row indexed from run.sqlite alone, whose search text is not indexed yet. */
const ROW_ONLY = 'row:';
/** Items per background text-index transaction. */
const TEXT_BATCH = 256;

/** A finished item counts as "running" when the store was written this recently. */
const RUNNING_WINDOW_MS = 120_000;

export type EvalRunSummary = {
  kind: 'eval';
  benchmark: string;
  models: string[];
  mode: string;
  profile: string | null;
  scoring: string | null;
  judge: string | null;
  createdAt: string | null;
  lastFinishedAt: string | null;
  items: number;
  done: number;
  errors: number;
  pending: number;
  accuracy: number | null;
  toolUseRate: number | null;
  status: 'running' | 'finished' | 'incomplete';
};

/**
 * Reads a `deepeyes eval` run directory (run.sqlite, opened read-only, and trajectories/…/trajectory.json)
 * for the viewer. The store is never written; the grid and search live in a sidecar `SampleIndex`.
 */
export class EvalRunReader {
  private readonly database: Database.Database;
  private textQueue: StoredItemRow[] = [];
  private textWorker: Promise<void> | undefined;
  private textError: Error | undefined;
  private closed = false;

  constructor(
    readonly directory: string,
    private readonly index: SampleIndex,
    private readonly now: () => number = Date.now,
  ) {
    this.database = new Database(join(directory, 'run.sqlite'), { readonly: true, fileMustExist: true });
    // Throws here (listed as the run's error) when the file is not a database or holds no run.
    this.config();
  }

  config() {
    let row: { value: string } | undefined;
    try {
      row = this.database.prepare("SELECT value FROM run WHERE key = 'config'").get() as typeof row;
    } catch (error) {
      throw new Error(`run.sqlite is not a deepeyes run store (${(error as Error).message})`);
    }
    if (!row)
      throw new Error('run.sqlite holds no run configuration yet (half-written or not a deepeyes eval run)');
    return runConfigSchema.parse(JSON.parse(row.value));
  }

  private createdAt(): string | null {
    const row = this.database.prepare("SELECT value FROM run WHERE key = 'created_at'").get() as
      | { value: string }
      | undefined;
    return row?.value ?? null;
  }

  private rows(): StoredItemRow[] {
    return this.database.prepare('SELECT * FROM items ORDER BY position').all() as StoredItemRow[];
  }

  /** The items as the eval reports read them (for analytics and comparisons). */
  items(): StoredItem[] {
    return this.rows().map((row) => decodeItemRow(row, { tolerant: true }));
  }

  summary(): EvalRunSummary {
    const config = this.config();
    const counts = this.database
      .prepare(
        `SELECT COUNT(*) AS items, SUM(status = 'done') AS done, SUM(status = 'error') AS errors,
           SUM(status = 'pending') AS pending, MAX(finished_at) AS last,
           SUM(status = 'done' AND json_extract(result, '$.correct') = 1) AS correct,
           SUM(status = 'done' AND json_extract(result, '$.toolCalls') > 0) AS withTools
         FROM items`,
      )
      .get() as {
      items: number;
      done: number | null;
      errors: number | null;
      pending: number | null;
      last: string | null;
      correct: number | null;
      withTools: number | null;
    };
    const done = counts.done ?? 0;
    const pending = counts.pending ?? 0;
    const recent = counts.last !== null && this.now() - Date.parse(counts.last) < RUNNING_WINDOW_MS;
    const profile = config.extra.profile;
    return {
      kind: 'eval',
      benchmark: config.benchmark,
      models: config.models,
      mode: config.mode,
      profile: typeof profile === 'string' ? profile : null,
      scoring: config.scoring?.mode ?? null,
      judge: config.scoring?.judge ?? config.judge,
      createdAt: this.createdAt(),
      lastFinishedAt: counts.last,
      items: counts.items,
      done,
      errors: counts.errors ?? 0,
      pending,
      accuracy: done === 0 ? null : (counts.correct ?? 0) / done,
      toolUseRate: done === 0 ? null : (counts.withTools ?? 0) / done,
      status:
        pending === 0 && counts.items > 0
          ? 'finished'
          : recent || counts.items === 0
            ? 'running'
            : 'incomplete',
    };
  }

  /** Run analytics (eval's own `summarizeRun`) plus the histograms the Run view draws. */
  analytics(): RunAnalytics & { turns: number[]; durationsMs: number[] } {
    const items = this.items();
    const finished = items.filter((item) => item.status !== 'pending');
    return {
      ...summarizeRun(items),
      turns: finished.map((item) => item.turns ?? 0),
      durationsMs: finished.map((item) => item.durationMs ?? 0),
    };
  }

  /**
   * Brings the sidecar index up to date in two steps, so a large run shows its grid at once. First (awaited)
   * every new or changed item gets its grid row from run.sqlite alone (stamp `row:…`); then, in the
   * background, trajectory files are read for the search text and the exact tool kinds (stamp without
   * `row:`). `textProgress()` says how far the second step is; `whenTextIndexed()` waits for it.
   */
  async refreshIndex(): Promise<void> {
    if (this.closed) return;
    const known = this.index.stamps();
    const rows = this.rows();
    const quick: IndexedSample[] = [];
    const needText: StoredItemRow[] = [];
    for (const row of rows) {
      const stamp = stampOf(row);
      const have = known.get(row.id);
      if (have === stamp) continue;
      needText.push(row);
      if (have !== `${ROW_ONLY}${stamp}`)
        quick.push({ row: this.gridRow(row, undefined), text: undefined, stamp: `${ROW_ONLY}${stamp}` });
    }
    const present = new Set(rows.map((row) => row.id));
    const removed = [...known.keys()].filter((id) => !present.has(id));
    if (quick.length > 0 || removed.length > 0) this.index.update(quick, removed);
    // The newest list replaces what the background step had left: it holds every item still without text.
    this.textQueue = needText;
    if (needText.length > 0 && !this.textWorker) {
      this.textWorker = this.indexText().finally(() => {
        this.textWorker = undefined;
      });
    }
  }

  /** Resolves when every item's search text is indexed (bundles need the full text). */
  async whenTextIndexed(): Promise<void> {
    while (this.textWorker) await this.textWorker;
    if (this.textError) throw this.textError;
  }

  /** How many grid rows have their full-text search entry yet. */
  textProgress(): { indexed: number; total: number } {
    return this.index.textProgress(ROW_ONLY);
  }

  private async indexText(): Promise<void> {
    while (this.textQueue.length > 0 && !this.closed) {
      const batch = this.textQueue.slice(0, TEXT_BATCH);
      this.textQueue = this.textQueue.slice(TEXT_BATCH);
      const changed: IndexedSample[] = [];
      // Trajectory files are read 32 at a time: a cold 10,000-item index is mostly file reads.
      for (let start = 0; start < batch.length; start += 32) {
        const slice = batch.slice(start, start + 32);
        changed.push(...(await Promise.all(slice.map((row) => this.indexed(row)))));
      }
      if (this.closed) return;
      try {
        this.index.update(changed);
        this.textError = undefined;
      } catch (error) {
        this.textError = error as Error;
        return;
      }
      // Lets requests in between batches (a transaction of TEXT_BATCH rows is a few milliseconds).
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private gridRow(row: StoredItemRow, trajectory: unknown): SampleRow {
    const item = decodeItemRow(row, { tolerant: true });
    const used = toolsUsed(trajectory, item.toolMix ?? {});
    return {
      id: item.id,
      position: row.position,
      verdict:
        item.status === 'pending'
          ? 'pending'
          : item.status === 'error'
            ? 'error'
            : item.correct === true
              ? 'right'
              : item.correct === false
                ? 'wrong'
                : 'unscored',
      category: item.category,
      capabilities: item.groups.capabilities ?? '',
      question: item.question,
      prediction: item.prediction ?? null,
      reference: item.reference,
      tools: used.tools,
      toolCategories: used.categories,
      toolCalls: item.toolCalls ?? 0,
      turns: item.turns ?? 0,
      durationMs: item.durationMs ?? 0,
      stopReason: item.stopReason ?? null,
      errorKind: item.errorKind ?? null,
    };
  }

  private async indexed(row: StoredItemRow): Promise<IndexedSample> {
    const item = decodeItemRow(row, { tolerant: true });
    const trajectory = item.trajectoryPath ? await this.readTrajectory(item.trajectoryPath) : undefined;
    return {
      row: this.gridRow(row, trajectory),
      text: sampleText(trajectory, item.question),
      stamp: stampOf(row),
    };
  }

  private async readTrajectory(relativePath: string): Promise<unknown> {
    // The store names the file relative to the run; anything escaping the run is ignored.
    const normal = posix.normalize(relativePath.replaceAll('\\', '/'));
    if (normal.startsWith('..') || posix.isAbsolute(normal)) return undefined;
    try {
      return JSON.parse(await readFile(join(this.directory, normal), 'utf8'));
    } catch {
      return undefined;
    }
  }

  /** One item with its result and trajectory; image paths become URLs under `filesUrl`. */
  async sample(id: string, filesUrl: string) {
    const row = this.database.prepare('SELECT * FROM items WHERE id = ?').get(id) as
      | StoredItemRow
      | undefined;
    if (!row) return undefined;
    const item = decodeItemRow(row, { tolerant: true });
    let trajectory: unknown;
    let problem: string | undefined;
    if (item.trajectoryPath) {
      trajectory = await this.readTrajectory(item.trajectoryPath);
      if (trajectory === undefined) problem = `trajectory file ${item.trajectoryPath} is missing or not JSON`;
    } else if (item.status !== 'pending') {
      problem = 'this item has no trajectory file';
    }
    const trajectoryFolder = item.trajectoryPath
      ? posix.dirname(item.trajectoryPath.replaceAll('\\', '/'))
      : '.';
    return {
      item,
      trajectory:
        trajectory === undefined
          ? null
          : rewriteImagePaths(trajectory, (path) => imageUrl(filesUrl, trajectoryFolder, path)),
      problem: problem ?? null,
    };
  }

  close(): void {
    this.closed = true;
    this.textQueue = [];
    this.database.close();
  }
}

function stampOf(row: StoredItemRow): string {
  return `${row.status}|${row.finished_at ?? ''}`;
}

function imageUrl(filesUrl: string, folder: string, path: string): string | null {
  const joined = posix.normalize(posix.join(folder, path));
  if (joined.startsWith('..') || posix.isAbsolute(joined)) return null;
  return `${filesUrl}/${joined.split('/').map(encodeURIComponent).join('/')}`;
}
