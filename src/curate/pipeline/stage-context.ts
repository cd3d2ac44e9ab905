import type { StageName } from '../curation-item.js';
import type { CurationStore } from '../store/curation-store.js';
import type { ImageStore } from '../store/image-store.js';

/** A snapshot after every finished unit of work (item, rollout or attempt), for the progress bar. */
export type StageProgress = {
  stage: StageName;
  /** Units finished, earlier sessions included. */
  done: number;
  total: number;
  /** Units finished in this session and the time it took: the ETA uses these. */
  doneThisSession: number;
  elapsedMs: number;
  /** What a unit is: items, rollouts, attempts. */
  unit: string;
};

/** What every stage is given. */
export type StageContext = {
  store: CurationStore;
  images: ImageStore;
  /** Units in flight at once. */
  concurrency: number;
  signal?: AbortSignal;
  onProgress?: (progress: StageProgress) => void;
  /** One line of news (a reset, a warning, a failed unit). */
  log?: (line: string) => void;
  now?: () => number;
};

/** What a stage reports when it ends. */
export type StageOutcome = {
  stage: StageName;
  kept: number;
  dropped: number;
  /** Units done by this session (0 when resuming a finished stage). */
  workDone: number;
  /** Units that failed (model or sandbox unreachable after retries): a rerun retries them. */
  failed: number;
  /** True when the stage ran to the end (not stopped, nothing failed). */
  finished: boolean;
};

/** Counts progress and calls `onProgress`; one per stage run. */
export function progressTracker(
  context: StageContext,
  stage: StageName,
  unit: string,
  total: number,
  doneBefore: number,
) {
  const now = context.now ?? (() => performance.now());
  const startedAt = now();
  const snapshot: StageProgress = { stage, done: doneBefore, total, doneThisSession: 0, elapsedMs: 0, unit };
  context.onProgress?.({ ...snapshot });
  return {
    tick(count = 1) {
      snapshot.done += count;
      snapshot.doneThisSession += count;
      snapshot.elapsedMs = now() - startedAt;
      context.onProgress?.({ ...snapshot });
    },
    get doneThisSession() {
      return snapshot.doneThisSession;
    },
  };
}

/** `[######------] 120/800 rollouts · 31.2/s · ETA 22s` */
export function progressLine(progress: StageProgress, width = 24): string {
  const fraction = progress.total === 0 ? 1 : Math.min(1, progress.done / progress.total);
  const filled = Math.round(fraction * width);
  const rate = progress.elapsedMs > 0 ? (progress.doneThisSession * 1000) / progress.elapsedMs : 0;
  const left = progress.total - progress.done;
  const eta = rate > 0 ? formatDuration((left / rate) * 1000) : left === 0 ? '0s' : '–';
  return `${progress.stage} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${progress.done}/${progress.total} ${progress.unit} · ${rate.toFixed(1)}/s · ETA ${eta}`;
}

function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}
