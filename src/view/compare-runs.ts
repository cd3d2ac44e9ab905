/**
 * Paired comparison of two runs on the same benchmark, as pure functions (the browser runs them too):
 * items matched by id, flips, per-category accuracy deltas, an exact McNemar test and a bootstrap
 * confidence interval on the accuracy difference.
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

const scored = (verdict: string) => verdict === 'right' || verdict === 'wrong';

export function compareRuns(baseline: readonly CompareRow[], candidate: readonly CompareRow[]): Comparison {
  const candidateById = new Map(candidate.map((row) => [row.id, row]));
  const pairs = baseline.flatMap((row) => {
    const other = candidateById.get(row.id);
    return other && scored(row.verdict) && scored(other.verdict) ? [{ base: row, other }] : [];
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
