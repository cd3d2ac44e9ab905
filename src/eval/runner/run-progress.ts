/** A snapshot after every finished item, for the progress bar and logs. */
export type EvalProgress = {
  total: number;
  /** Finished items (correct + wrong + errors), including those from earlier sessions. */
  finished: number;
  correct: number;
  wrong: number;
  errors: number;
  toolCalls: number;
  /** Items with at least one tool call. */
  itemsWithTools: number;
  /** Items finished in this session, and the time it took: the ETA uses these. */
  finishedThisSession: number;
  elapsedMs: number;
  last?: { id: string; status: 'correct' | 'wrong' | 'error'; error?: string };
};

/** Progress before any item of `total` has finished. */
export function emptyProgress(total: number): EvalProgress {
  return {
    total,
    finished: 0,
    correct: 0,
    wrong: 0,
    errors: 0,
    toolCalls: 0,
    itemsWithTools: 0,
    finishedThisSession: 0,
    elapsedMs: 0,
  };
}

/** Accuracy over scored items (errors excluded), or undefined before the first. */
export function accuracySoFar(progress: EvalProgress): number | undefined {
  const scored = progress.correct + progress.wrong;
  return scored === 0 ? undefined : progress.correct / scored;
}

export function etaMs(progress: EvalProgress): number | undefined {
  if (progress.finishedThisSession === 0) return undefined;
  return (progress.elapsedMs / progress.finishedThisSession) * (progress.total - progress.finished);
}
