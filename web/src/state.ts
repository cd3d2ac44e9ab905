import type { Filter } from './types';

/** The app's state is its query string, so every view has a deep link (`?run=…&sample=…`). */
export type Route = {
  view: 'runs' | 'run' | 'samples' | 'sample' | 'compare' | 'attempt';
  run?: string;
  sample?: string;
  /** Compare: the baseline first, then the runs compared with it (`?compare=base,run1,run2`). */
  compare?: string[];
  /** Compare: which two of `compare` (indexes) show the selected item's trajectories side by side. */
  pair?: [number, number];
  /** A curation run's teacher attempt number (with `sample` = the item id). */
  attempt?: string;
  filter: Filter;
};

const FILTER_KEYS = [
  'verdict',
  'errorKind',
  'category',
  'capability',
  'tools',
  'toolCategory',
  'turnsMin',
  'turnsMax',
  'stopReason',
  'q',
  'sort',
  'order',
] as const;

export function readRoute(search: string): Route {
  const parameters = new URLSearchParams(search);
  const filter: Filter = {};
  for (const key of FILTER_KEYS) {
    const value = parameters.get(key);
    if (value) filter[key] = value;
  }
  const run = parameters.get('run') ?? undefined;
  const sample = parameters.get('sample') ?? undefined;
  // `?base=…&other=…` is the older two-run link; it reads as `?compare=base,other`.
  const legacy = [parameters.get('base'), parameters.get('other')].filter((id): id is string => Boolean(id));
  const listed = parameters.get('compare');
  const compare = listed !== null ? decodeIdList(listed) : legacy.length ? legacy : undefined;
  const pairText = parameters.get('pair')?.split(',').map(Number);
  const pair =
    pairText?.length === 2 && pairText.every((index) => Number.isInteger(index) && index >= 0)
      ? (pairText as [number, number])
      : undefined;
  const attempt = parameters.get('attempt') ?? undefined;
  const named = parameters.get('view') as Route['view'] | null;
  const view =
    named ?? (compare ? 'compare' : attempt ? 'attempt' : sample ? 'sample' : run ? 'run' : 'runs');
  return {
    view,
    filter,
    ...(run ? { run } : {}),
    ...(sample ? { sample } : {}),
    ...(compare ? { compare } : {}),
    ...(pair ? { pair } : {}),
    ...(attempt ? { attempt } : {}),
  };
}

export function routeUrl(route: Route): string {
  const parameters = new URLSearchParams();
  const implied = route.compare
    ? 'compare'
    : route.attempt
      ? 'attempt'
      : route.sample
        ? 'sample'
        : route.run
          ? 'run'
          : 'runs';
  if (route.view !== implied) parameters.set('view', route.view);
  for (const key of ['run', 'sample', 'attempt'] as const) if (route[key]) parameters.set(key, route[key]!);
  if (route.compare) parameters.set('compare', encodeIdList(route.compare));
  if (route.pair) parameters.set('pair', route.pair.join(','));
  for (const [key, value] of Object.entries(route.filter)) if (value) parameters.set(key, value);
  const text = parameters.toString();
  return text ? `?${text}` : location.pathname;
}

/** Run ids joined by commas, a comma or percent sign inside an id escaped (`%2C`, `%25`). */
export function encodeIdList(ids: readonly string[]): string {
  return ids.map((id) => id.replaceAll('%', '%25').replaceAll(',', '%2C')).join(',');
}

export function decodeIdList(text: string): string[] {
  return text
    .split(',')
    .filter(Boolean)
    .map((id) => {
      try {
        return decodeURIComponent(id);
      } catch {
        return id;
      }
    });
}
