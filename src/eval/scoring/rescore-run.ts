import type { StoredItem } from '../runner/run-store.js';
import { type ScorerOptions, scoreInput } from './create-scorer.js';
import type { ScoreInputs, ScoringMode } from './scorer.js';

export type RescoreSummary = {
  /** The mode the run was scored in (`legacy` for runs from before scoring modes). */
  from: ScoringMode | 'legacy' | 'mixed';
  to: ScoringMode | 'auto';
  /** Items re-scored (finished items whose score kept its inputs). */
  rescored: number;
  /** Finished items that could not be re-scored (no stored inputs, e.g. runs older than modes). */
  skipped: number;
  correctBefore: number;
  correctAfter: number;
  /** Among re-scored items: wrong → correct and correct → wrong. */
  gained: number;
  lost: number;
  /** A few changed items, for the report. */
  examples: Array<{ id: string; prediction: string; reference: string; before: boolean; after: boolean }>;
};

/**
 * Re-scores a finished run's items from its store in another mode, without running the model again:
 * each item's prediction, reference, question and stored scoring inputs go through the same scorer a
 * live run uses. Returns the items with the new verdicts and what changed.
 */
export async function rescoreItems(
  items: readonly StoredItem[],
  mode: ScoringMode | 'auto',
  judges: Omit<ScorerOptions, 'mode'> = {},
  signal?: AbortSignal,
): Promise<{ items: StoredItem[]; summary: RescoreSummary }> {
  const modes = new Set<string>();
  const summary: RescoreSummary = {
    from: 'legacy',
    to: mode,
    rescored: 0,
    skipped: 0,
    correctBefore: 0,
    correctAfter: 0,
    gained: 0,
    lost: 0,
    examples: [],
  };
  const out: StoredItem[] = [];
  for (const item of items) {
    const inputs = item.score?.inputs as ScoreInputs | undefined;
    if (item.status !== 'done' || typeof item.correct !== 'boolean') {
      out.push(item);
      continue;
    }
    modes.add(typeof item.score?.mode === 'string' ? item.score.mode : 'legacy');
    const before = item.correct;
    if (!inputs) {
      summary.skipped += 1;
      if (before) summary.correctBefore += 1;
      if (before) summary.correctAfter += 1;
      out.push(item);
      continue;
    }
    const score =
      item.prediction === null || item.prediction === undefined
        ? { verdict: 'wrong' as const, verifier: 'no-answer', mode: undefined }
        : await scoreInput(
            {
              id: item.id,
              benchmark: item.benchmark,
              question: item.question,
              reference: item.reference,
              prediction: item.prediction,
              ...inputs,
            },
            mode,
            judges,
            signal,
          );
    const after = score.verdict === 'correct';
    summary.rescored += 1;
    if (before) summary.correctBefore += 1;
    if (after) summary.correctAfter += 1;
    if (after !== before) {
      if (after) summary.gained += 1;
      else summary.lost += 1;
      if (summary.examples.length < 20) {
        summary.examples.push({
          id: item.id,
          prediction: item.prediction ?? '',
          reference: item.reference,
          before,
          after,
        });
      }
    }
    const source = item.score?.predictionSource;
    out.push({
      ...item,
      correct: after,
      score: { ...score, inputs, ...(source === undefined ? {} : { predictionSource: source }) },
    });
  }
  summary.from =
    modes.size === 1 ? ([...modes][0] as RescoreSummary['from']) : modes.size === 0 ? 'legacy' : 'mixed';
  return { items: out, summary };
}

/** One line for the terminal and the report: whether the modes differ on this run, and by how much. */
export function describeRescore(label: string, summary: RescoreSummary): string {
  const scored = summary.rescored + summary.skipped;
  const percent = (count: number) => (scored === 0 ? '–' : `${((count / scored) * 100).toFixed(1)}%`);
  const delta = scored === 0 ? 0 : ((summary.correctAfter - summary.correctBefore) / scored) * 100;
  const head = `${label}: scored ${summary.from} ${percent(summary.correctBefore)} → re-scored ${summary.to} ${percent(summary.correctAfter)}`;
  const changed = summary.gained + summary.lost;
  const body =
    changed === 0
      ? 'the modes agree on every item'
      : `${delta >= 0 ? '+' : ''}${delta.toFixed(1)} points; ${changed} item(s) differ (${summary.gained} wrong→correct, ${summary.lost} correct→wrong)`;
  return `${head} · ${body}${summary.skipped > 0 ? ` · ${summary.skipped} item(s) kept as scored (no stored scoring inputs)` : ''}`;
}
