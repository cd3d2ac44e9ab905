import { join } from 'node:path';
import Database from 'better-sqlite3';
import { STAGES } from '../curate/curation-item.js';
import type { StoredAttemptRow } from '../curate/store/curation-store.js';
import { rewriteImagePaths } from './trajectory-images.js';

const SHA_PATH = /^sha256:([0-9a-f]{64})$/;

/**
 * Reads a curation directory's `curation.sqlite` (read-only) for the Curation view: the funnel, pass-rate
 * histograms from the rollouts, teacher acceptance and rejected teacher trajectories with their reasons.
 */
export class CurationRunReader {
  private readonly database: Database.Database;

  constructor(readonly directory: string) {
    this.database = new Database(join(directory, 'curation.sqlite'), { readonly: true, fileMustExist: true });
    this.database.prepare('SELECT COUNT(*) FROM stage_items').get();
  }

  summary() {
    const stages = this.database.prepare('SELECT stage, finished_at FROM stage_runs').all() as {
      stage: string;
      finished_at: string | null;
    }[];
    const items = this.database
      .prepare("SELECT COUNT(*) FROM stage_items WHERE stage = 'ingest'")
      .pluck()
      .get() as number;
    return {
      kind: 'curation' as const,
      items,
      stagesStarted: stages.length,
      status:
        stages.length > 0 && stages.every((stage) => stage.finished_at)
          ? ('finished' as const)
          : ('running' as const),
    };
  }

  details() {
    const counts = this.database
      .prepare('SELECT stage, status, COUNT(*) AS count FROM stage_items GROUP BY stage, status')
      .all() as { stage: string; status: 'kept' | 'dropped'; count: number }[];
    const funnel = STAGES.map((stage) => ({
      stage,
      kept: counts.find((row) => row.stage === stage && row.status === 'kept')?.count ?? 0,
      dropped: counts.find((row) => row.stage === stage && row.status === 'dropped')?.count ?? 0,
    })).filter((row) => row.kept + row.dropped > 0);
    const drops = this.database
      .prepare(
        `SELECT stage, COALESCE(reason, '(none)') AS reason, COUNT(*) AS count FROM stage_items
         WHERE status = 'dropped' GROUP BY stage, reason ORDER BY stage, count DESC`,
      )
      .all() as { stage: string; reason: string; count: number }[];
    const passRates = this.database
      .prepare(
        `SELECT stage, passes, COUNT(*) AS items FROM (
           SELECT stage, id, SUM(correct) AS passes FROM rollouts GROUP BY stage, id, settings
         ) GROUP BY stage, passes ORDER BY stage, passes`,
      )
      .all() as { stage: string; passes: number; items: number }[];
    const teachers = this.database
      .prepare(
        'SELECT teacher, COUNT(*) AS attempts, SUM(accepted) AS accepted FROM attempts GROUP BY teacher ORDER BY teacher',
      )
      .all() as { teacher: string; attempts: number; accepted: number }[];
    const rejected = (
      this.database
        .prepare(
          'SELECT id, attempt, teacher, reasons FROM attempts WHERE accepted = 0 ORDER BY id, attempt LIMIT 2000',
        )
        .all() as { id: string; attempt: number; teacher: string; reasons: string }[]
    ).map((row) => ({ ...row, reasons: JSON.parse(row.reasons) as string[] }));
    return { funnel, drops, passRates, teachers, rejected };
  }

  /** One teacher attempt's trajectory; `sha256:` image paths become URLs of the image store's files. */
  attempt(id: string, attempt: number, filesUrl: string) {
    const row = this.database
      .prepare(
        'SELECT id, attempt, teacher, accepted, reasons, trajectory FROM attempts WHERE id = ? AND attempt = ?',
      )
      .get(id, attempt) as StoredAttemptRow | undefined;
    if (!row) return undefined;
    const extensionOf = this.database.prepare('SELECT ext FROM images WHERE sha256 = ?').pluck();
    const trajectory = rewriteImagePaths(JSON.parse(row.trajectory), (path) => {
      const match = SHA_PATH.exec(path);
      if (!match?.[1]) return null;
      const ext = (extensionOf.get(match[1]) as string | undefined) ?? 'png';
      return `${filesUrl}/images/${match[1].slice(0, 2)}/${match[1]}.${ext.replace(/^\./, '')}`;
    });
    return {
      id: row.id,
      attempt: row.attempt,
      teacher: row.teacher,
      accepted: row.accepted === 1,
      reasons: JSON.parse(row.reasons) as string[],
      trajectory,
    };
  }

  close(): void {
    this.database.close();
  }
}
