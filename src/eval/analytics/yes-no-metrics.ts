/**
 * The aggregate metrics DeepEyesV2's VLMEvalKit fork reports for its yes/no benchmarks (POPE_rating,
 * MME_rating, Hallusion_rating in vlmeval/dataset/utils/yorn.py), computed the same way so the numbers
 * are the same doubles: percentages as `mean × 100` (count / n first, then × 100), sums in the fork's
 * order, nothing rounded (the fork logs and writes the floats as they are; reports round for display).
 * Golden-tested against the fork's own functions (test/fixtures/vlmevalkit-scoring/aggregates.jsonl).
 *
 * Where the fork crashes (an MME image with one question, a missing MME category, a HallusionBench index
 * without set/figure/question parts) these functions report what can be computed and say what is missing.
 */

/** One scored item of a yes/no benchmark. */
export type YesNoMetricItem = {
  /** The data's `index` (HallusionBench encodes set, figure and question ids in it). */
  id: string;
  /** `Yes` or `No`, as stored. */
  reference: string;
  /** What the answer was read as: `Yes`, `No` or `Unknown` (counts as No, as in the fork). */
  predicted: string;
  correct: boolean;
  category?: string;
  l2Category?: string;
  /** MME's `image_path`: the two questions about one image form its acc+ pair. */
  imagePath?: string;
};

const mean = (flags: readonly boolean[]): number =>
  flags.length === 0 ? Number.NaN : flags.filter(Boolean).length / flags.length;

/** POPE: F1 (the fork's `Overall` column), accuracy, precision and recall of "Yes", in percent. */
export type PopeRow = {
  split: string;
  n: number;
  f1: number;
  accuracy: number;
  precision: number;
  recall: number;
};

function popeRow(split: string, items: readonly YesNoMetricItem[]): PopeRow {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const item of items) {
    const truth = item.reference === 'Yes';
    const predicted = item.predicted === 'Yes';
    if (truth && predicted) tp += 1;
    else if (!truth && predicted) fp += 1;
    else if (truth && !predicted) fn += 1;
  }
  const precision = tp + fp !== 0 ? tp / (tp + fp) : 0;
  const recall = tp + fn !== 0 ? tp / (tp + fn) : 0;
  const f1 = precision + recall !== 0 ? (2 * (precision * recall)) / (precision + recall) : 0;
  return {
    split,
    n: items.length,
    f1: f1 * 100,
    accuracy: mean(items.map((item) => item.correct)) * 100,
    precision: precision * 100,
    recall: recall * 100,
  };
}

/**
 * POPE_rating: an item whose category lists several (`adversarial,popular`, split on bare commas) counts
 * in each of them, and as many times in `Overall` (the fork explodes the rows before computing it).
 */
export function popeMetrics(items: readonly YesNoMetricItem[]): PopeRow[] {
  const exploded = items.flatMap((item) =>
    item.category === undefined
      ? [item]
      : item.category.split(',').map((category) => ({ ...item, category })),
  );
  const categories = [
    ...new Set(exploded.flatMap((item) => (item.category === undefined ? [] : [item.category]))),
  ].sort();
  return [
    popeRow('Overall', exploded),
    ...categories.map((category) =>
      popeRow(
        category,
        exploded.filter((item) => item.category === category),
      ),
    ),
  ];
}

export const MME_PERCEPTION = [
  'OCR',
  'artwork',
  'celebrity',
  'color',
  'count',
  'existence',
  'landmark',
  'position',
  'posters',
  'scene',
] as const;
export const MME_REASONING = [
  'code_reasoning',
  'commonsense_reasoning',
  'numerical_calculation',
  'text_translation',
] as const;

export type MmeCategory = {
  category: string;
  /** Share of questions right, in percent. */
  accuracy: number;
  /** Share of images with both questions right, in percent (NaN when no image has two). */
  accuracyPlus: number;
  /** accuracy + accuracyPlus: what the fork reports per category (0–200). */
  score: number;
  images: number;
  /** Images with one question: the fork crashes on them; here they count for acc only. */
  unpaired: number;
};

export type MmeMetrics = {
  /** Sum of the ten perception categories' scores (0–2000), over those present. */
  perception: number;
  /** Sum of the four cognition categories' scores (0–800; the fork's key is `reasoning`). */
  cognition: number;
  categories: MmeCategory[];
  /** Perception/cognition categories absent from the run (the fork needs all fourteen). */
  missing: string[];
  /** Items without an image_path: not paired, so acc+ leaves them out. */
  withoutImage: number;
};

/** MME_rating: per category acc + acc+ (acc+ pairs the first two questions of each image_path). */
export function mmeMetrics(items: readonly YesNoMetricItem[]): MmeMetrics {
  const byCategory = new Map<string, Map<string, boolean[]>>();
  let withoutImage = 0;
  for (const item of items) {
    const category = item.category ?? 'all';
    const images = byCategory.get(category) ?? new Map<string, boolean[]>();
    byCategory.set(category, images);
    if (item.imagePath === undefined) withoutImage += 1;
    // An item without an image path stands alone: counted in acc, never paired.
    const key = item.imagePath ?? `\u0000${item.id}`;
    images.set(key, [...(images.get(key) ?? []), item.correct]);
  }
  const categories: MmeCategory[] = [...byCategory.entries()].map(([category, images]) => {
    const all = [...images.values()];
    const paired = all.filter((flags) => flags.length >= 2);
    const accuracy = mean(all.flat()) * 100;
    const accuracyPlus = mean(paired.map((flags) => flags[0]! && flags[1]!)) * 100;
    return {
      category,
      accuracy,
      accuracyPlus,
      score: accuracy + (Number.isNaN(accuracyPlus) ? 0 : accuracyPlus),
      images: all.length,
      unpaired: all.length - paired.length,
    };
  });
  const scoreOf = new Map(categories.map((entry) => [entry.category, entry.score]));
  const sum = (names: readonly string[]) =>
    names.reduce((total, name) => total + (scoreOf.get(name) ?? 0), 0);
  return {
    perception: sum(MME_PERCEPTION),
    cognition: sum(MME_REASONING),
    categories: categories.sort((left, right) => left.category.localeCompare(right.category)),
    missing: [...MME_PERCEPTION, ...MME_REASONING].filter((name) => !scoreOf.has(name)),
    withoutImage,
  };
}

/**
 * HallusionBench: aAcc per question, fAcc per figure (every question about it right), qAcc per question
 * across figures (right for every figure), in percent; null when indexes lack the set/figure/question ids.
 */
export type HallusionRow = {
  split: string;
  n: number;
  aAcc: number;
  fAcc: number | null;
  qAcc: number | null;
};

type HallusionIds = { set: string; figure: string; question: string };

function hallusionIds(id: string): HallusionIds | undefined {
  const parts = id.split('_');
  if (parts.length < 6) return undefined;
  return { set: parts[3]!, figure: parts[4]!, question: parts[5]! };
}

function allRight(items: readonly YesNoMetricItem[], keyOf: (item: YesNoMetricItem) => string): number {
  const groups = new Map<string, boolean>();
  for (const item of items) groups.set(keyOf(item), (groups.get(keyOf(item)) ?? true) && item.correct);
  return mean([...groups.values()]) * 100;
}

function hallusionRow(split: string, items: readonly YesNoMetricItem[]): HallusionRow {
  const ids = items.map((item) => hallusionIds(item.id));
  const complete = ids.every((entry) => entry !== undefined);
  // The fork keys on l2-category as pandas formats it: a missing value reads `nan`.
  const prefix = (item: YesNoMetricItem) => item.l2Category ?? 'nan';
  const idOf = new Map(items.map((item, position) => [item, ids[position]!]));
  return {
    split,
    n: items.length,
    aAcc: mean(items.map((item) => item.correct)) * 100,
    fAcc: complete
      ? allRight(items, (item) => `${prefix(item)}_${idOf.get(item)!.set}_${idOf.get(item)!.figure}`)
      : null,
    qAcc: complete
      ? allRight(items, (item) => `${prefix(item)}_${idOf.get(item)!.set}_${idOf.get(item)!.question}`)
      : null,
  };
}

/**
 * Hallusion_rating: Overall, then each category, then each l2-category. Its figure and question keys
 * leave the category out, so a VD and a VS figure with the same l2-category, set and figure ids are
 * one figure to the fork (kept: it changes Overall's fAcc/qAcc, not the per-category rows).
 */
export function hallusionMetrics(items: readonly YesNoMetricItem[]): HallusionRow[] {
  const values = (pick: (item: YesNoMetricItem) => string | undefined) =>
    [...new Set(items.flatMap((item) => (pick(item) === undefined ? [] : [pick(item)!])))].sort();
  return [
    hallusionRow('Overall', items),
    ...values((item) => item.category).map((category) =>
      hallusionRow(
        category,
        items.filter((item) => item.category === category),
      ),
    ),
    ...values((item) => item.l2Category).map((l2) =>
      hallusionRow(
        l2,
        items.filter((item) => item.l2Category === l2),
      ),
    ),
  ];
}
