import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../errors.js';
import type { JudgeTask, TaskJudge, TaskJudgeOptions } from './judge-task.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS judge_task_cache (
  key TEXT PRIMARY KEY, model TEXT NOT NULL, prompt_version TEXT NOT NULL, task TEXT NOT NULL,
  temperature REAL, reply TEXT NOT NULL, created_at TEXT NOT NULL
)`;

/**
 * A TaskJudge whose replies are kept in SQLite (beside the reward judge's cache, its own table), keyed
 * by judge model, prompt version, the task and the temperature of the attempt. Re-scoring a run, or
 * resuming one, asks the judge server nothing it already answered.
 */
export class CachedTaskJudge implements TaskJudge {
  readonly name: string;
  private readonly database: Database.Database;
  private readonly select;
  private readonly insert;
  readonly stats = { hits: 0, misses: 0 };

  constructor(
    private readonly inner: TaskJudge,
    path: string,
    private readonly promptVersion: string,
  ) {
    this.name = inner.name;
    try {
      if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      this.database = new Database(path);
      this.database.pragma('journal_mode = WAL');
      this.database.exec(SCHEMA);
    } catch (cause) {
      throw new UserError('judge-cache-unusable', `Cannot open the judge cache at ${path}.`, {
        cause,
        hint: 'the run directory must be writable',
      });
    }
    this.select = this.database.prepare<[string], { reply: string }>(
      'SELECT reply FROM judge_task_cache WHERE key = ?',
    );
    this.insert = this.database.prepare(
      `INSERT OR REPLACE INTO judge_task_cache (key, model, prompt_version, task, temperature, reply, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  async ask(task: JudgeTask, options: TaskJudgeOptions = {}): Promise<string> {
    const taskText = JSON.stringify(task);
    const temperature = options.temperature ?? null;
    const key = createHash('sha256')
      .update(JSON.stringify([this.inner.name, this.promptVersion, taskText, temperature]))
      .digest('hex');
    const cached = this.select.get(key);
    if (cached) {
      this.stats.hits += 1;
      return cached.reply;
    }
    this.stats.misses += 1;
    const reply = await this.inner.ask(task, options);
    this.insert.run(
      key,
      this.inner.name,
      this.promptVersion,
      taskText,
      temperature,
      reply,
      new Date().toISOString(),
    );
    return reply;
  }

  close(): void {
    this.database.close();
  }
}

/** A version for a set of task prompts: a short hash of their texts. */
export function taskPromptVersion(prompts: Readonly<Record<string, string>>): string {
  const entries = Object.entries(prompts).sort(([left], [right]) => left.localeCompare(right));
  return `tasks-${createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 12)}`;
}
