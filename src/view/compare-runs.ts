/**
 * Paired comparison of a baseline and one or more runs on the same benchmark, as pure functions (the
 * Compare view runs them in the browser, over the live server's rows or a static bundle's): items matched by
 * id, flips, per-category accuracy deltas, an exact McNemar test and a bootstrap confidence interval on the
 * accuracy difference, per run.
 */

export type CompareRow = { id: string; verdict: string; category: string };

export type Flip = { id: string; category: string; direction: 'right→wrong' | 'wrong→right' };

export type Comparison = {
  paired: number;
  baselineAccuracy: number | null;
  candidateAccuracy: number | null;
  /** Items right in the baseline and wrong in the candidate (b) and the reverse (c). */
  rightToWrong: number;
  wrongToRight: number;
  flips: Flip[];
  byCategory: {
    category: string;
    paired: number;
    baseline: number | null;
    candidate: number | null;
    delta: number | null;
  }[];
  mcnemarP: number;
  /** 95 % percentile bootstrap interval on candidate − baseline accuracy over paired items. */
  bootstrap: { low: number; high: number; resamples: number } | null;
};

/** log C(n, k) via sums of logs (exact enough for n up to millions, no overflow). */
function logChoose(n: number, k: number): number {
  let total = 0;
  for (let index = 1; index <= k; index++) total += Math.log(n - k + index) - Math.log(index);
  return total;
}

/**
 * Exact two-sided McNemar p-value: a binomial test of b against n = b + c at 0.5 (scipy.stats.binomtest's
 * answer, which for p = 0.5 is min(1, 2 · P[X ≤ min(b, c)])). 1 when there are no discordant pairs.
 */
export function mcnemarExactP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const low = Math.min(b, c);
  let tail = 0;
  for (let k = 0; k <= low; k++) tail += Math.exp(logChoose(n, k) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/** Mulberry32: a small seeded generator, so the interval is the same on every reload. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percentile bootstrap of mean(differences) (each −1, 0 or 1), resampling paired items with replacement. */
export function bootstrapInterval(
  differences: readonly number[],
  options: { resamples?: number; seed?: number; level?: number } = {},
): { low: number; high: number; resamples: number } | null {
  const resamples = options.resamples ?? 2000;
  const n = differences.length;
  if (n === 0) return null;
  const random = seededRandom(options.seed ?? 1);
  const means: number[] = [];
  for (let round = 0; round < resamples; round++) {
    let sum = 0;
    for (let index = 0; index < n; index++) sum += differences[Math.floor(random() * n)]!;
    means.push(sum / n);
  }
  means.sort((left, right) => left - right);
  const alpha = (1 - (options.level ?? 0.95)) / 2;
  const at = (quantile: number) =>
    means[Math.min(resamples - 1, Math.max(0, Math.floor(quantile * resamples)))]!;
  return { low: at(alpha), high: at(1 - alpha), resamples };
}

const isScored = (verdict: string) => verdict === 'right' || verdict === 'wrong';

export function compareRuns(baseline: readonly CompareRow[], candidate: readonly CompareRow[]): Comparison {
  const candidateById = new Map(candidate.map((row) => [row.id, row]));
  const pairs = baseline.flatMap((row) => {
    const other = candidateById.get(row.id);
    return other && isScored(row.verdict) && isScored(other.verdict) ? [{ base: row, other }] : [];
  });
  const flips: Flip[] = [];
  const differences: number[] = [];
  const categories = new Map<string, { paired: number; base: number; other: number }>();
  for (const { base, other } of pairs) {
    const baseRight = base.verdict === 'right';
    const otherRight = other.verdict === 'right';
    differences.push(Number(otherRight) - Number(baseRight));
    if (baseRight !== otherRight)
      flips.push({
        id: base.id,
        category: base.category,
        direction: baseRight ? 'right→wrong' : 'wrong→right',
      });
    const entry = categories.get(base.category) ?? { paired: 0, base: 0, other: 0 };
    entry.paired++;
    entry.base += Number(baseRight);
    entry.other += Number(otherRight);
    categories.set(base.category, entry);
  }
  const rightToWrong = flips.filter((flip) => flip.direction === 'right→wrong').length;
  const wrongToRight = flips.length - rightToWrong;
  const accuracy = (count: number) => (pairs.length === 0 ? null : count / pairs.length);
  return {
    paired: pairs.length,
    baselineAccuracy: accuracy(pairs.filter((pair) => pair.base.verdict === 'right').length),
    candidateAccuracy: accuracy(pairs.filter((pair) => pair.other.verdict === 'right').length),
    rightToWrong,
    wrongToRight,
    flips,
    byCategory: [...categories.entries()]
      .sort(([left], [right]) => left.localeCompare(right))
      .map(([category, entry]) => ({
        category,
        paired: entry.paired,
        baseline: entry.base / entry.paired,
        candidate: entry.other / entry.paired,
        delta: (entry.other - entry.base) / entry.paired,
      })),
    mcnemarP: mcnemarExactP(rightToWrong, wrongToRight),
    bootstrap: bootstrapInterval(differences),
  };
}

/** Flips in the order the Compare view lists them: right→wrong first (regressions), then wrong→right. */
export function flipsInOrder(flips: readonly Flip[]): Flip[] {
  const rank = (flip: Flip) => (flip.direction === 'right→wrong' ? 0 : 1);
  return [...flips].sort((left, right) => rank(left) - rank(right));
}

export type RunRows = { id: string; rows: readonly CompareRow[] };

export type MultiComparison = {
  baseline: string;
  /** Accuracy of the baseline over its own scored items. */
  baselineAccuracy: number | null;
  /** One paired comparison per run against the baseline, flips ordered by `flipsInOrder`. */
  runs: { id: string; comparison: Comparison }[];
  /** Per category: the baseline's own accuracy, then each run's paired accuracies and delta. */
  categories: {
    category: string;
    baseline: number | null;
    runs: { id: string; paired: number; candidate: number | null; delta: number | null }[];
  }[];
  /**
   * Items that flipped in at least one run, listed first (in baseline order), then the other paired items:
   * the verdict of every run (`undefined` when the run lacks the item).
   */
  items: { id: string; category: string; flippedIn: number; verdicts: (string | undefined)[] }[];
};

/**
 * A baseline against one or more runs of the same benchmark: every run is paired with the baseline by item
 * id (errors and pending items left out of each pairing) and tested on its own (exact McNemar p-value,
 * bootstrap interval on the accuracy difference). No correction for testing several runs is applied: the
 * view says how many runs were tested.
 */
export function compareMany(baseline: RunRows, candidates: readonly RunRows[]): MultiComparison {
  const runs = candidates.map((candidate) => {
    const comparison = compareRuns(baseline.rows, candidate.rows);
    return { id: candidate.id, comparison: { ...comparison, flips: flipsInOrder(comparison.flips) } };
  });
  const baseScored = new Map<string, { scored: number; right: number }>();
  let scored = 0;
  let right = 0;
  for (const row of baseline.rows) {
    if (!isScored(row.verdict)) continue;
    const entry = baseScored.get(row.category) ?? { scored: 0, right: 0 };
    entry.scored++;
    entry.right += Number(row.verdict === 'right');
    baseScored.set(row.category, entry);
    scored++;
    right += Number(row.verdict === 'right');
  }
  const names = new Set<string>([...baseScored.keys()]);
  for (const run of runs) for (const row of run.comparison.byCategory) names.add(row.category);
  const categories = [...names]
    .sort((left, right) => left.localeCompare(right))
    .map((category) => {
      const own = baseScored.get(category);
      return {
        category,
        baseline: own ? own.right / own.scored : null,
        runs: runs.map((run) => {
          const row = run.comparison.byCategory.find((candidate) => candidate.category === category);
          return {
            id: run.id,
            paired: row?.paired ?? 0,
            candidate: row?.candidate ?? null,
            delta: row?.delta ?? null,
          };
        }),
      };
    });
  const verdictMaps = candidates.map(
    (candidate) => new Map(candidate.rows.map((row) => [row.id, row.verdict])),
  );
  const flipCount = new Map<string, number>();
  for (const run of runs)
    for (const flip of run.comparison.flips) flipCount.set(flip.id, (flipCount.get(flip.id) ?? 0) + 1);
  const items = baseline.rows
    .filter((row) => verdictMaps.some((verdicts) => verdicts.has(row.id)))
    .map((row) => ({
      id: row.id,
      category: row.category,
      flippedIn: flipCount.get(row.id) ?? 0,
      verdicts: [row.verdict, ...verdictMaps.map((verdicts) => verdicts.get(row.id))],
    }));
  const ordered = [
    ...items.filter((item) => item.flippedIn > 0),
    ...items.filter((item) => item.flippedIn === 0),
  ];
  return {
    baseline: baseline.id,
    baselineAccuracy: scored === 0 ? null : right / scored,
    runs,
    categories,
    items: ordered,
  };
}
