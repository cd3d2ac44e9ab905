import type { StoredItem } from '../runner/run-store.js';
import { TOOL_CATEGORIES, type ToolCategory } from './tool-category.js';

/** Accuracy and tool use of a set of items. Rates are over scored items; errors are counted apart. */
export type GroupStats = {
  key: string;
  items: number;
  scored: number;
  correct: number;
  errors: number;
  pending: number;
  /** correct / scored; null when nothing is scored. */
  accuracy: number | null;
  /** Share of scored items with at least one tool call (the paper's tool-use rate, Fig. 7). */
  toolUseRate: number | null;
  toolCallsPerItem: number | null;
  /** Calls per tool category over scored items. */
  toolMix: Record<ToolCategory, number>;
};

export type RunAnalytics = {
  overall: GroupStats;
  byBenchmark: GroupStats[];
  /** One table per grouping field (category, l2-category, capabilities, …). */
  byField: { field: string; rows: GroupStats[] }[];
  /** RealX-Bench columns as the paper reports them: Perception, Reasoning, Search, Integration. */
  capabilities?: GroupStats[];
  errorsByKind: Record<string, number>;
  /** Which verifier decided, e.g. { choice: 80, judge: 12 }. */
  verifiers: Record<string, number>;
};

export function emptyMix(): Record<ToolCategory, number> {
  return Object.fromEntries(TOOL_CATEGORIES.map((category) => [category, 0])) as Record<ToolCategory, number>;
}

export function groupStats(key: string, items: readonly StoredItem[]): GroupStats {
  const scored = items.filter((item) => item.status === 'done');
  const toolMix = emptyMix();
  let toolCalls = 0;
  let withTools = 0;
  for (const item of scored) {
    toolCalls += item.toolCalls ?? 0;
    if ((item.toolCalls ?? 0) > 0) withTools++;
    for (const [category, count] of Object.entries(item.toolMix ?? {})) {
      if (category in toolMix) toolMix[category as ToolCategory] += count;
    }
  }
  const correct = scored.filter((item) => item.correct === true).length;
  const ratio = (value: number) => (scored.length === 0 ? null : value / scored.length);
  return {
    key,
    items: items.length,
    scored: scored.length,
    correct,
    errors: items.filter((item) => item.status === 'error').length,
    pending: items.filter((item) => item.status === 'pending').length,
    accuracy: ratio(correct),
    toolUseRate: ratio(withTools),
    toolCallsPerItem: ratio(toolCalls),
    toolMix,
  };
}

function groupBy(
  items: readonly StoredItem[],
  keyOf: (item: StoredItem) => string | undefined,
): GroupStats[] {
  const groups = new Map<string, StoredItem[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === undefined) continue;
    const list = groups.get(key) ?? [];
    list.push(item);
    groups.set(key, list);
  }
  return [...groups.entries()]
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([key, list]) => groupStats(key, list));
}

const CAPABILITY_COLUMNS: { key: string; test: (names: string[]) => boolean }[] = [
  { key: 'Perception', test: (names) => names.includes('perception') },
  { key: 'Reasoning', test: (names) => names.includes('reason') },
  { key: 'Search', test: (names) => names.includes('search') },
  {
    key: 'Integration',
    test: (names) => ['perception', 'search', 'reason'].every((name) => names.includes(name)),
  },
];

export function summarizeRun(items: readonly StoredItem[]): RunAnalytics {
  const fields = [...new Set(items.flatMap((item) => Object.keys(item.groups)))];
  const errorsByKind: Record<string, number> = {};
  const verifiers: Record<string, number> = {};
  for (const item of items) {
    if (item.status === 'error')
      errorsByKind[item.errorKind ?? 'unknown'] = (errorsByKind[item.errorKind ?? 'unknown'] ?? 0) + 1;
    const verifier = item.score?.verifier;
    if (item.status === 'done' && typeof verifier === 'string')
      verifiers[verifier] = (verifiers[verifier] ?? 0) + 1;
  }
  const withCapabilities = items.filter((item) => item.groups.capabilities !== undefined);
  const analytics: RunAnalytics = {
    overall: groupStats('overall', items),
    byBenchmark: groupBy(items, (item) => item.benchmark),
    byField: fields.map((field) => ({ field, rows: groupBy(items, (item) => item.groups[field]) })),
    errorsByKind,
    verifiers,
  };
  if (withCapabilities.length > 0) {
    analytics.capabilities = CAPABILITY_COLUMNS.map(({ key, test }) =>
      groupStats(
        key,
        withCapabilities.filter((item) => test(item.groups.capabilities!.split('+'))),
      ),
    );
  }
  return analytics;
}
