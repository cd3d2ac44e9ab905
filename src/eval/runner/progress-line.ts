import { accuracySoFar, type EvalProgress, etaMs } from './run-progress.js';

function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '–';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(seconds % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * `[########------] 12/40 · acc 58.3% · tools 1.8/item · errors 1 · ETA 1m20s`: done, accuracy so far
 * (errors excluded), tool calls per finished item, errors, time left at this session's pace.
 */
export function progressLine(progress: EvalProgress, width = 24): string {
  const fraction = progress.total === 0 ? 1 : progress.finished / progress.total;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const accuracy = accuracySoFar(progress);
  const scored = progress.correct + progress.wrong;
  const tools =
    scored + progress.errors === 0 ? '–' : (progress.toolCalls / (scored + progress.errors)).toFixed(1);
  return [
    `${bar} ${progress.finished}/${progress.total}`,
    `acc ${accuracy === undefined ? '–' : `${(accuracy * 100).toFixed(1)}%`}`,
    `tools ${tools}/item`,
    `errors ${progress.errors}`,
    `ETA ${progress.finished >= progress.total ? '0s' : duration(etaMs(progress))}`,
  ].join(' · ');
}
