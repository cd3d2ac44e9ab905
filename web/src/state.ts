import type { Filter } from './types';

/** The app's state is its query string, so every view has a deep link (`?run=…&sample=…`). */
export type Route = {
  view: 'runs' | 'run' | 'samples' | 'sample' | 'compare' | 'attempt';
  run?: string;
  sample?: string;
  base?: string;
  other?: string;
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
  const base = parameters.get('base') ?? undefined;
  const other = parameters.get('other') ?? undefined;
  const attempt = parameters.get('attempt') ?? undefined;
  const named = parameters.get('view') as Route['view'] | null;
  const view = named ?? (base ? 'compare' : attempt ? 'attempt' : sample ? 'sample' : run ? 'run' : 'runs');
  return {
    view,
    filter,
    ...(run ? { run } : {}),
    ...(sample ? { sample } : {}),
    ...(base ? { base } : {}),
    ...(other ? { other } : {}),
    ...(attempt ? { attempt } : {}),
  };
}

export function routeUrl(route: Route): string {
  const parameters = new URLSearchParams();
  const implied = route.base
    ? 'compare'
    : route.attempt
      ? 'attempt'
      : route.sample
        ? 'sample'
        : route.run
          ? 'run'
          : 'runs';
  if (route.view !== implied) parameters.set('view', route.view);
  for (const key of ['run', 'sample', 'base', 'other', 'attempt'] as const)
    if (route[key]) parameters.set(key, route[key]!);
  for (const [key, value] of Object.entries(route.filter)) if (value) parameters.set(key, value);
  const text = parameters.toString();
  return text ? `?${text}` : location.pathname;
}
