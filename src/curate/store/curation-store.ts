import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { STAGES, type StageName } from '../curation-item.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS stage_runs (
  stage TEXT PRIMARY KEY, settings TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT
);
CREATE TABLE IF NOT EXISTS stage_items (
  stage TEXT NOT NULL, id TEXT NOT NULL, position INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('kept', 'dropped')),
  reason TEXT, detail TEXT, data TEXT,
  PRIMARY KEY (stage, id)
);
CREATE INDEX IF NOT EXISTS stage_items_order ON stage_items (stage, status, position);
CREATE TABLE IF NOT EXISTS bad_rows (
  file TEXT NOT NULL, row INTEGER NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (file, row)
);
CREATE TABLE IF NOT EXISTS images (
  sha256 TEXT PRIMARY KEY, ext TEXT NOT NULL, width INTEGER, height INTEGER, size INTEGER NOT NULL,
  phash TEXT
);
CREATE TABLE IF NOT EXISTS rollouts (
  stage TEXT NOT NULL, id TEXT NOT NULL, sample INTEGER NOT NULL, settings TEXT NOT NULL,
  correct INTEGER NOT NULL, tool_calls INTEGER NOT NULL, tool_mix TEXT NOT NULL,
  answer TEXT, stop_reason TEXT NOT NULL, turns INTEGER NOT NULL,
  PRIMARY KEY (stage, id, settings, sample)
);
CREATE TABLE IF NOT EXISTS attempts (
  id TEXT NOT NULL, attempt INTEGER NOT NULL, settings TEXT NOT NULL, teacher TEXT NOT NULL,
  accepted INTEGER NOT NULL, reasons TEXT NOT NULL, trajectory TEXT NOT NULL,
  PRIMARY KEY (id, settings, attempt)
);
CREATE TABLE IF NOT EXISTS model_cache (key TEXT PRIMARY KEY, reply TEXT NOT NULL);
`;

export type StageItemStatus = 'kept' | 'dropped';

export type StageItemRow = {
  id: string;
  position: number;
  status: StageItemStatus;
  reason: string | null;
  detail: string | null;
  data: unknown;
};

export type RolloutRow = {
  id: string;
  sample: number;
  correct: boolean;
  toolCalls: number;
  toolMix: Record<string, number>;
  answer: string | null;
  stopReason: string;
  turns: number;
};

/** An `attempts` row as SQLite returns it (the view's reader reads the same table read-only). */
export type StoredAttemptRow = {
  id: string;
  attempt: number;
  teacher: string;
  accepted: number;
  /** JSON array of reasons. */
  reasons: string;
  /** JSON of the trajectory. */
  trajectory: string;
};

export type AttemptRow = {
  id: string;
  attempt: number;
  teacher: string;
  accepted: boolean;
  reasons: string[];
  trajectory: unknown;
};

/** A short stable key of any JSON-able settings object (key order does not matter). */
export function settingsKey(settings: unknown): string {
  return createHash('sha256').update(stableJson(settings)).digest('hex').slice(0, 16);
}

export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner) && !(inner instanceof Uint8Array)
      ? Object.fromEntries(Object.entries(inner).sort(([left], [right]) => left.localeCompare(right)))
      : inner,
  );
}

/**
 * The curation directory's one SQLite store (WAL): each stage's output keyed by item id, every
 * rollout and teacher attempt as its own row (written the moment it finishes, so a kill loses at
 * most what was in flight), images' metadata, bad source rows and the model-call cache.
 */
export class CurationStore {
  readonly directory: string;
  readonly path: string;
  readonly database: Database.Database;

  constructor(directory: string) {
    mkdirSync(directory, { recursive: true });
    this.directory = directory;
    this.path = join(directory, 'curation.sqlite');
    this.database = new Database(this.path);
    this.database.pragma('journal_mode = WAL');
    this.database.pragma('synchronous = NORMAL');
    this.database.pragma('busy_timeout = 10000');
    this.database.exec(SCHEMA);
  }

  close(): void {
    this.flush();
    this.database.close();
  }

  private readonly statements = new Map<string, Database.Statement>();
  /** Writes queued by `putRollout`, `putStageItem` and `cacheReply`, committed together. */
  private pending: (() => void)[] = [];
  /** Replies queued for the cache and not yet committed: `cachedReply` must see them. */
  private readonly pendingReplies = new Map<string, string>();
  private flushScheduled = false;
  private flushError: unknown;

  /**
   * Queues a write. The queue is committed in one transaction at the end of the current turn of
   * the event loop (or before any other store operation), so 32 rollouts finishing together cost one
   * commit, not 32 plus their cache writes. A kill loses at most the writes of that one turn (the
   * rollouts are run again on resume); a stage that returns has committed everything.
   */
  private queue(write: () => void): void {
    this.pending.push(write);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      if (this.flushError !== undefined || !this.database.open) return;
      try {
        this.commit();
      } catch (error) {
        // Thrown by the next store operation, which has a caller to report it to.
        this.flushError = error;
      }
    });
  }

  /** Commits every queued write now (every other operation calls it first, so reads see them). */
  flush(): void {
    if (this.flushError !== undefined) {
      const error = this.flushError;
      this.flushError = undefined;
      throw error;
    }
    this.commit();
  }

  private commit(): void {
    this.flushScheduled = false;
    if (this.pending.length === 0) return;
    const writes = this.pending;
    this.pending = [];
    this.database.transaction(() => {
      for (const write of writes) write();
    })();
    this.pendingReplies.clear();
  }

  /** A prepared statement, compiled once per store (the rollout stages run thousands of the same few). */
  statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.database.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /**
   * Starts (or resumes) a stage. Settings that differ from the stored run's clear this stage's
   * output and every later stage's (rollouts, attempts and the model cache stay: they are keyed by
   * their own settings), so stale results never mix with new ones. Returns whether it was cleared.
   */
  beginStage(stage: StageName, settings: unknown): { reset: boolean; finished: boolean } {
    this.flush();
    const key = stableJson(settings);
    const row = this.statement('SELECT settings, finished_at FROM stage_runs WHERE stage = ?').get(stage) as
      | { settings: string; finished_at: string | null }
      | undefined;
    if (row && row.settings === key) return { reset: false, finished: row.finished_at !== null };
    const later = STAGES.slice(STAGES.indexOf(stage));
    this.database.transaction(() => {
      for (const name of later) {
        this.statement('DELETE FROM stage_items WHERE stage = ?').run(name);
        this.statement('DELETE FROM stage_runs WHERE stage = ?').run(name);
      }
      this.statement('INSERT INTO stage_runs (stage, settings, started_at) VALUES (?, ?, ?)').run(
        stage,
        key,
        new Date().toISOString(),
      );
    })();
    return { reset: row !== undefined, finished: false };
  }

  finishStage(stage: StageName): void {
    this.flush();
    this.statement('UPDATE stage_runs SET finished_at = ? WHERE stage = ?').run(
      new Date().toISOString(),
      stage,
    );
  }

  isFinished(stage: StageName): boolean {
    this.flush();
    const row = this.statement('SELECT finished_at FROM stage_runs WHERE stage = ?').get(stage) as
      | { finished_at: string | null }
      | undefined;
    return Boolean(row?.finished_at);
  }

  /** One stage decision; committed with the turn's other writes (see `queue`). */
  putStageItem(stage: StageName, item: Omit<StageItemRow, 'data'> & { data?: unknown }): void {
    const row = stageItemValues(stage, item);
    this.queue(() => this.insertStageItem(row));
  }

  private insertStageItem(values: unknown[]): void {
    this.statement(
      `INSERT OR REPLACE INTO stage_items (stage, id, position, status, reason, detail, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(...values);
  }

  /** Forgets a stage's decisions (exports are rebuilt whole on every run). */
  clearStageItems(stage: StageName): void {
    this.flush();
    this.statement('DELETE FROM stage_items WHERE stage = ?').run(stage);
  }

  /** Many stage items in one transaction, committed before it returns. */
  putStageItems(stage: StageName, items: (Omit<StageItemRow, 'data'> & { data?: unknown })[]): void {
    this.flush();
    this.database.transaction(() => {
      for (const item of items) this.insertStageItem(stageItemValues(stage, item));
    })();
  }

  stageItems(stage: StageName, status?: StageItemStatus): StageItemRow[] {
    this.flush();
    const rows = (
      status
        ? this.statement('SELECT * FROM stage_items WHERE stage = ? AND status = ? ORDER BY position').all(
            stage,
            status,
          )
        : this.statement('SELECT * FROM stage_items WHERE stage = ? ORDER BY position').all(stage)
    ) as {
      id: string;
      position: number;
      status: StageItemStatus;
      reason: string | null;
      detail: string | null;
      data: string | null;
    }[];
    return rows.map((row) => ({ ...row, data: row.data === null ? null : JSON.parse(row.data) }));
  }

  /** Ids this stage has already decided (kept or dropped). */
  decidedIds(stage: StageName): Set<string> {
    this.flush();
    const rows = this.statement('SELECT id FROM stage_items WHERE stage = ?').pluck().all(stage);
    return new Set(rows as string[]);
  }

  /** Drops per stage and reason: the report's funnel. */
  dropCounts(): { stage: string; reason: string; count: number }[] {
    this.flush();
    return this.statement(
      `SELECT stage, reason, COUNT(*) AS count FROM stage_items WHERE status = 'dropped'
         GROUP BY stage, reason ORDER BY stage, count DESC`,
    ).all() as { stage: string; reason: string; count: number }[];
  }

  counts(stage: StageName): { kept: number; dropped: number } {
    this.flush();
    const rows = this.statement(
      'SELECT status, COUNT(*) AS count FROM stage_items WHERE stage = ? GROUP BY status',
    ).all(stage) as { status: StageItemStatus; count: number }[];
    return {
      kept: rows.find((row) => row.status === 'kept')?.count ?? 0,
      dropped: rows.find((row) => row.status === 'dropped')?.count ?? 0,
    };
  }

  putBadRows(rows: { file: string; row: number; reason: string }[]): void {
    this.flush();
    const insert = this.statement('INSERT OR REPLACE INTO bad_rows (file, row, reason) VALUES (?, ?, ?)');
    this.database.transaction(() => {
      for (const row of rows) insert.run(row.file, row.row, row.reason);
    })();
  }

  badRows(): { file: string; row: number; reason: string }[] {
    this.flush();
    return this.statement('SELECT * FROM bad_rows ORDER BY file, row').all() as {
      file: string;
      row: number;
      reason: string;
    }[];
  }

  /** One scored rollout; committed with the turn's other writes (see `queue`). */
  putRollout(stage: StageName, settings: string, row: RolloutRow): void {
    const values = [
      stage,
      row.id,
      row.sample,
      settings,
      row.correct ? 1 : 0,
      row.toolCalls,
      JSON.stringify(row.toolMix),
      row.answer,
      row.stopReason,
      row.turns,
    ];
    this.queue(() =>
      this.statement(
        `INSERT OR REPLACE INTO rollouts (stage, id, sample, settings, correct, tool_calls, tool_mix, answer, stop_reason, turns)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(...values),
    );
  }

  /** Every stored rollout of a stage under these settings (of one item when `id` is given), by item id. */
  rollouts(stage: StageName, settings: string, id?: string): Map<string, RolloutRow[]> {
    this.flush();
    const rows = (
      id === undefined
        ? this.statement('SELECT * FROM rollouts WHERE stage = ? AND settings = ? ORDER BY id, sample').all(
            stage,
            settings,
          )
        : this.statement(
            'SELECT * FROM rollouts WHERE stage = ? AND settings = ? AND id = ? ORDER BY sample',
          ).all(stage, settings, id)
    ) as {
      id: string;
      sample: number;
      correct: number;
      tool_calls: number;
      tool_mix: string;
      answer: string | null;
      stop_reason: string;
      turns: number;
    }[];
    const byId = new Map<string, RolloutRow[]>();
    for (const row of rows) {
      const list = byId.get(row.id) ?? [];
      list.push({
        id: row.id,
        sample: row.sample,
        correct: row.correct === 1,
        toolCalls: row.tool_calls,
        toolMix: JSON.parse(row.tool_mix),
        answer: row.answer,
        stopReason: row.stop_reason,
        turns: row.turns,
      });
      byId.set(row.id, list);
    }
    return byId;
  }

  putAttempt(settings: string, row: AttemptRow): void {
    this.flush();
    this.statement(
      `INSERT OR REPLACE INTO attempts (id, attempt, settings, teacher, accepted, reasons, trajectory)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      row.id,
      row.attempt,
      settings,
      row.teacher,
      row.accepted ? 1 : 0,
      JSON.stringify(row.reasons),
      JSON.stringify(row.trajectory),
    );
  }

  attempts(settings: string, id?: string): AttemptRow[] {
    this.flush();
    const rows = (
      id === undefined
        ? this.statement('SELECT * FROM attempts WHERE settings = ? ORDER BY id, attempt').all(settings)
        : this.statement('SELECT * FROM attempts WHERE settings = ? AND id = ? ORDER BY attempt').all(
            settings,
            id,
          )
    ) as StoredAttemptRow[];
    return rows.map((row) => ({
      id: row.id,
      attempt: row.attempt,
      teacher: row.teacher,
      accepted: row.accepted === 1,
      reasons: JSON.parse(row.reasons),
      trajectory: JSON.parse(row.trajectory),
    }));
  }

  /** The settings key the stage's last run used, or undefined. */
  stageSettings(stage: StageName): unknown {
    this.flush();
    const row = this.statement('SELECT settings FROM stage_runs WHERE stage = ?').get(stage) as
      | { settings: string }
      | undefined;
    return row ? JSON.parse(row.settings) : undefined;
  }

  cachedReply(key: string): string | undefined {
    const pending = this.pendingReplies.get(key);
    if (pending !== undefined) return pending;
    const row = this.statement('SELECT reply FROM model_cache WHERE key = ?').get(key) as
      | { reply: string }
      | undefined;
    return row?.reply;
  }

  /** Committed with the turn's other writes (see `queue`); `cachedReply` sees it at once. */
  cacheReply(key: string, reply: string): void {
    this.pendingReplies.set(key, reply);
    this.queue(() =>
      this.statement('INSERT OR REPLACE INTO model_cache (key, reply) VALUES (?, ?)').run(key, reply),
    );
  }

  cacheSize(): number {
    this.flush();
    return this.statement('SELECT COUNT(*) FROM model_cache').pluck().get() as number;
  }
}

function stageItemValues(stage: StageName, item: Omit<StageItemRow, 'data'> & { data?: unknown }): unknown[] {
  return [
    stage,
    item.id,
    item.position,
    item.status,
    item.reason,
    item.detail,
    item.data === undefined ? null : JSON.stringify(item.data),
  ];
}
