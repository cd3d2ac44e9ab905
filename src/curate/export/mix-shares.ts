/**
 * Mixing pools to target shares (DeepEyesV2 Fig. 9). Pure: which items of each group to take.
 *
 * The mix is as large as the scarcest group allows: total N = min over groups of
 * floor(available / share), then each group gets round(N × share) (never more than it has). A group
 * with a positive share but no items cannot be matched; it is reported as missing and the other
 * shares are renormalised, so the user sees the gap instead of getting an empty export.
 */

/** The paper's cold-start SFT mix (Fig. 9): long chain-of-thought text dominates. */
export const PAPER_SFT_SHARES: Readonly<Record<string, number>> = {
  'long-cot': 0.816,
  reasoning: 0.096,
  perception: 0.081,
  search: 0.007,
};

/** The paper's RL mix (Fig. 9). */
export const PAPER_RL_SHARES: Readonly<Record<string, number>> = {
  perception: 0.519,
  reasoning: 0.416,
  search: 0.065,
};

export type MixPlan = {
  /** Items taken per group. */
  take: Record<string, number>;
  /** Items available per group. */
  available: Record<string, number>;
  /** Target shares as given (normalised to sum 1). */
  target: Record<string, number>;
  /** Groups with a target share but no items. */
  missing: string[];
  /** Groups with items but no share: none of them is taken. */
  unwanted: string[];
  total: number;
};

export function planMix(
  available: Record<string, number>,
  shares: Record<string, number> | null,
  options: { maxTotal?: number } = {},
): MixPlan {
  if (shares === null) {
    const take = { ...available };
    const total = Object.values(take).reduce((sum, count) => sum + count, 0);
    const target = Object.fromEntries(
      Object.entries(take).map(([group, count]) => [group, count / (total || 1)]),
    );
    return {
      take,
      available: { ...available },
      target,
      missing: [],
      unwanted: [],
      total: capTotal(take, total, options.maxTotal),
    };
  }
  const sum = Object.values(shares).reduce((total, share) => total + share, 0);
  const target = Object.fromEntries(Object.entries(shares).map(([group, share]) => [group, share / sum]));
  const missing = Object.keys(target).filter((group) => target[group]! > 0 && !(available[group]! > 0));
  const present = Object.keys(target).filter((group) => target[group]! > 0 && available[group]! > 0);
  const presentSum = present.reduce((total, group) => total + target[group]!, 0);
  const take: Record<string, number> = Object.fromEntries(Object.keys(available).map((group) => [group, 0]));
  let total = 0;
  if (present.length > 0) {
    const effective = (group: string) => target[group]! / presentSum;
    let size = Math.min(...present.map((group) => Math.floor(available[group]! / effective(group) + 1e-9)));
    if (options.maxTotal !== undefined) size = Math.min(size, options.maxTotal);
    for (const group of present) {
      take[group] = Math.min(available[group]!, Math.round(size * effective(group)));
      total += take[group]!;
    }
  }
  const unwanted = Object.keys(available).filter((group) => available[group]! > 0 && !(target[group]! > 0));
  return { take, available: { ...available }, target, missing, unwanted, total };
}

function capTotal(take: Record<string, number>, total: number, maxTotal: number | undefined): number {
  if (maxTotal === undefined || total <= maxTotal) return total;
  let left = maxTotal;
  const groups = Object.keys(take);
  const shares = groups.map((group) => take[group]! / total);
  groups.forEach((group, index) => {
    const count = index === groups.length - 1 ? left : Math.min(left, Math.round(maxTotal * shares[index]!));
    take[group] = count;
    left -= count;
  });
  return maxTotal;
}

/** Picks the first `take[group]` items of each group, keeping input order; returns taken and surplus. */
export function applyMix<T>(
  items: readonly T[],
  groupOf: (item: T) => string,
  plan: MixPlan,
): { taken: T[]; surplus: T[] } {
  const used = new Map<string, number>();
  const taken: T[] = [];
  const surplus: T[] = [];
  for (const item of items) {
    const group = groupOf(item);
    const count = used.get(group) ?? 0;
    if (count < (plan.take[group] ?? 0)) {
      used.set(group, count + 1);
      taken.push(item);
    } else surplus.push(item);
  }
  return { taken, surplus };
}
