import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../errors.js';
import type { Verdict } from './judge.js';

/** What identifies a judgement; any change (even the prompt wording) is a different entry. */
export type JudgeCacheKey = {
  question: string;
  reference: string;
  prediction: string;
  model: string;
  promptVersion: string;
};

export type CachedVerdict = { verdict: Exclude<Verdict, 'unknown'>; parsed: string | null; reply: string };

export interface JudgeCache {
  get(key: JudgeCacheKey): CachedVerdict | undefined;
  set(key: JudgeCacheKey, value: CachedVerdict): void;
  readonly stats: { hits: number; misses: number };
  close(): void;
}

export function judgeCacheKeyHash(key: JudgeCacheKey): string {
  return createHash('sha256')
    .update(JSON.stringify([key.question, key.reference, key.prediction, key.model, key.promptVersion]))
    .digest('hex');
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS judge_cache (
  key TEXT PRIMARY KEY,
  question TEXT NOT NULL,
  reference TEXT NOT NULL,
  prediction TEXT NOT NULL,
  model TEXT NOT NULL,
  prompt_version TEXT NOT NULL,
  verdict TEXT NOT NULL CHECK (verdict IN ('correct', 'incorrect')),
  parsed TEXT,
  reply TEXT NOT NULL,
  created_at TEXT NOT NULL
)`;

/** A persistent judge cache in SQLite (`:memory:` for a throwaway one). Only definite verdicts are stored. */
export function openJudgeCache(path: string): JudgeCache {
  let database: Database.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    database = new Database(path);
    database.pragma('journal_mode = WAL');
    database.exec(SCHEMA);
  } catch (cause) {
    throw new UserError('judge-cache-unusable', `Cannot open the judge cache at ${path}.`, {
      cause,
      hint: 'Pass a writable file path to --judge-cache.',
    });
  }
  const select = database.prepare<[string], { verdict: string; parsed: string | null; reply: string }>(
    'SELECT verdict, parsed, reply FROM judge_cache WHERE key = ?',
  );
  const insert = database.prepare(
    `INSERT OR REPLACE INTO judge_cache
       (key, question, reference, prediction, model, prompt_version, verdict, parsed, reply, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const stats = { hits: 0, misses: 0 };
  return {
    stats,
    get(key) {
      const row = select.get(judgeCacheKeyHash(key));
      if (!row || (row.verdict !== 'correct' && row.verdict !== 'incorrect')) {
        stats.misses++;
        return undefined;
      }
      stats.hits++;
      return { verdict: row.verdict, parsed: row.parsed, reply: row.reply };
    },
    set(key, value) {
      insert.run(
        judgeCacheKeyHash(key),
        key.question,
        key.reference,
        key.prediction,
        key.model,
        key.promptVersion,
        value.verdict,
        value.parsed,
        value.reply,
        new Date().toISOString(),
      );
    },
    close() {
      database.close();
    },
  };
}
