import { progressLine, type StageProgress } from '../../curate/pipeline/stage-context.js';
import type { CliIO } from '../io.js';

/**
 * The stage progress bar on stderr with rate and ETA: redrawn in place on a terminal, else one line
 * every 5 s (so logs stay readable) and a last line when the stage ends.
 */
export function progressPrinter(io: CliIO, intervalMs = 5000) {
  let last: StageProgress | undefined;
  let printedAt = 0;
  let drawn = false;
  const interactive = io.interactive;
  return {
    update(progress: StageProgress) {
      last = progress;
      const now = performance.now();
      if (interactive) {
        if (now - printedAt < 100 && progress.done < progress.total) return;
        io.err(`\r${progressLine(progress)}\u001b[K`);
        drawn = true;
      } else {
        if (now - printedAt < intervalMs) return;
        io.err(`${progressLine(progress)}\n`);
      }
      printedAt = now;
    },
    clear() {
      if (drawn) io.err('\r\u001b[K');
      drawn = false;
    },
    done() {
      if (last && last.doneThisSession > 0) {
        if (interactive) io.err(`\r${progressLine(last)}\u001b[K\n`);
        else io.err(`${progressLine(last)}\n`);
      }
      drawn = false;
      last = undefined;
      printedAt = 0;
    },
  };
}
