import type {
  AttemptDetail,
  Filter,
  RunDetail,
  RunListing,
  SampleDetail,
  SampleRow,
  SamplesPage,
} from './types';

/** Where the app reads runs from: the `deepeyes view` server, or a static bundle's data files. */
export interface DataSource {
  readonly live: boolean;
  runs(): Promise<RunListing[]>;
  run(id: string): Promise<RunDetail>;
  samples(id: string, filter: Filter, offset: number, limit: number): Promise<SamplesPage>;
  sample(id: string, sampleId: string, filter: Filter): Promise<SampleDetail>;
  rows(id: string): Promise<SampleRow[]>;
  /** A curation run's teacher attempt (rejected trajectories open in the trajectory view). */
  attempt(id: string, itemId: string, attempt: string): Promise<AttemptDetail>;
  /**
   * Calls `listener` when runs may have changed: with the ids of runs whose files changed (server-sent
   * events), or with null (a poll tick, or a reconnect after which anything may have changed). Returns the
   * unsubscribe function. A static bundle never changes.
   */
  subscribe(listener: (runs: string[] | null) => void): () => void;
}

/** How often the app polls when the server's event stream is refused or unavailable. */
export const POLL_MS = 3000;

/**
 * One `/api/events` stream per page shared by every view; when the server refuses it (too many streams) or
 * the browser lacks EventSource, the listeners are called every POLL_MS instead.
 */
function liveChanges(): DataSource['subscribe'] {
  const listeners = new Set<(runs: string[] | null) => void>();
  let events: EventSource | undefined;
  let poller: ReturnType<typeof setInterval> | undefined;
  let opened = false;
  const notify = (runs: string[] | null) => {
    for (const listener of [...listeners]) listener(runs);
  };
  const poll = () => {
    events?.close();
    events = undefined;
    poller ??= setInterval(() => notify(null), POLL_MS);
  };
  const start = () => {
    if (events || poller) return;
    if (typeof EventSource === 'undefined') return poll();
    events = new EventSource('api/events');
    events.addEventListener('hello', () => {
      // A reconnect (the server ends streams after a while): changes in between were not sent.
      if (opened) notify(null);
      opened = true;
    });
    events.addEventListener('change', (event) => {
      try {
        notify((JSON.parse((event as MessageEvent<string>).data) as { runs: string[] }).runs);
      } catch {
        notify(null);
      }
    });
    events.onerror = () => {
      if (events?.readyState === EventSource.CLOSED) poll();
    };
  };
  return (listener) => {
    listeners.add(listener);
    start();
    return () => {
      listeners.delete(listener);
    };
  };
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url);
  const body = await response.json();
  if (!response.ok) throw new Error(body?.error?.message ?? `${url} answered ${response.status}`);
  return body as T;
}

const query = (filter: Filter, extra: Record<string, string | number> = {}) => {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...filter, ...extra }))
    if (value !== undefined && value !== '') parameters.set(key, String(value));
  return parameters.toString();
};

export function liveSource(): DataSource {
  const runUrl = (id: string) => `api/runs/${encodeURIComponent(id)}`;
  return {
    live: true,
    subscribe: liveChanges(),
    runs: async () => (await getJson<{ runs: RunListing[] }>('api/runs')).runs,
    run: (id) => getJson(runUrl(id)),
    samples: (id, filter, offset, limit) =>
      getJson(`${runUrl(id)}/samples?${query(filter, { offset, limit })}`),
    sample: (id, sampleId, filter) =>
      getJson(`${runUrl(id)}/samples/${encodeURIComponent(sampleId)}?${query(filter)}`),
    rows: async (id) => (await getJson<{ rows: SampleRow[] }>(`${runUrl(id)}/rows`)).rows,
    attempt: (id, itemId, attempt) =>
      getJson(`${runUrl(id)}/attempts/${encodeURIComponent(itemId)}/${encodeURIComponent(attempt)}`),
  };
}

/** Same filter semantics as the server's SQL (src/view/sample-index.ts), in the browser. */
export function matches(row: SampleRow, filter: Filter, text: string | undefined): boolean {
  if (filter.verdict && row.verdict !== filter.verdict) return false;
  if (filter.errorKind && row.errorKind !== filter.errorKind) return false;
  if (filter.category && row.category !== filter.category) return false;
  if (filter.tools && row.tools !== filter.tools) return false;
  if (filter.stopReason && row.stopReason !== filter.stopReason) return false;
  if (filter.toolCategory && !row.toolCategories.includes(filter.toolCategory)) return false;
  if (filter.capability === 'integration' && row.capabilities !== 'perception+search+reason') return false;
  if (
    filter.capability &&
    filter.capability !== 'integration' &&
    !row.capabilities.split('+').includes(filter.capability)
  )
    return false;
  if (filter.turnsMin && row.turns < Number(filter.turnsMin)) return false;
  if (filter.turnsMax && row.turns > Number(filter.turnsMax)) return false;
  if (filter.q && text !== undefined) {
    const words = filter.q.toLowerCase().split(/\s+/).filter(Boolean);
    // Prefix match on word starts, like FTS5's "word"*.
    if (!words.every((word) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(word)}`, 'u').test(text)))
      return false;
  }
  return true;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function sortRows(rows: SampleRow[], filter: Filter): SampleRow[] {
  const key = filter.sort ?? 'position';
  const sign = filter.order === 'desc' ? -1 : 1;
  const value = (row: SampleRow) =>
    key === 'turns' ? row.turns : key === 'duration' ? row.durationMs : key === 'id' ? row.id : row.position;
  return [...rows].sort((left, right) => {
    const a = value(left);
    const b = value(right);
    return (a < b ? -1 : a > b ? 1 : 0) * sign || left.position - right.position;
  });
}

/** Reads a bundle written by `deepeyes view bundle`: plain GETs of JSON chunks, filtering in the browser. */
export function staticSource(): DataSource {
  let listing: Promise<RunListing[]> | undefined;
  const loaded = new Map<
    string,
    Promise<{ detail: RunDetail & { chunks?: number }; rows: SampleRow[]; key: string }>
  >();
  const texts = new Map<string, Promise<string[]>>();
  const runs = () => {
    listing ??= getJson<{ runs: RunListing[] }>('data/runs.json').then((body) => body.runs);
    return listing;
  };
  const load = (id: string) => {
    let entry = loaded.get(id);
    if (!entry) {
      entry = (async () => {
        const key = (await runs()).find((run) => run.id === id)?.dataKey;
        if (key === undefined) throw new Error(`no run "${id}" in this bundle`);
        const detail = await getJson<RunDetail & { chunks?: number }>(`data/runs/${key}/run.json`);
        const chunks = await Promise.all(
          Array.from({ length: detail.chunks ?? 0 }, (_, chunk) =>
            getJson<SampleRow[]>(`data/runs/${key}/rows-${chunk}.json`),
          ),
        );
        return { detail, rows: chunks.flat(), key };
      })();
      loaded.set(id, entry);
    }
    return entry;
  };
  const text = async (id: string) => {
    let entry = texts.get(id);
    if (!entry) {
      entry = load(id).then(({ detail, key }) =>
        Promise.all(
          Array.from({ length: detail.chunks ?? 0 }, (_, chunk) =>
            getJson<string[]>(`data/runs/${key}/text-${chunk}.json`),
          ),
        ).then((chunks) => chunks.flat()),
      );
      texts.set(id, entry);
    }
    return entry;
  };
  const filtered = async (id: string, filter: Filter) => {
    const { rows } = await load(id);
    const searchText = filter.q ? await text(id) : undefined;
    return sortRows(
      rows.filter((row, index) => matches(row, filter, searchText?.[index])),
      filter,
    );
  };
  return {
    live: false,
    subscribe: () => () => {},
    runs,
    run: async (id) => (await load(id)).detail,
    samples: async (id, filter, offset, limit) => {
      const rows = await filtered(id, filter);
      return { total: rows.length, rows: rows.slice(offset, offset + limit) };
    },
    sample: async (id, sampleId, filter) => {
      const { key, rows } = await load(id);
      const row = rows.find((candidate) => candidate.id === sampleId);
      if (!row) throw new Error(`no sample "${sampleId}" in run "${id}"`);
      const detail = await getJson<SampleDetail>(`data/runs/${key}/samples/${rows.indexOf(row)}.json`);
      const ordered = await filtered(id, filter);
      const index = ordered.findIndex((candidate) => candidate.id === sampleId);
      return {
        ...detail,
        neighbours: {
          previous: ordered[index - 1]?.id ?? null,
          next: ordered[index + 1]?.id ?? null,
          index,
        },
      };
    },
    rows: async (id) => (await load(id)).rows,
    attempt: async (id, itemId, attempt) => {
      const key = (await runs()).find((run) => run.id === id)?.dataKey;
      if (key === undefined) throw new Error(`no run "${id}" in this bundle`);
      const index = await getJson<Record<string, number>>(`data/runs/${key}/attempts.json`);
      const number = index[`${itemId}#${attempt}`];
      if (number === undefined) throw new Error(`attempt #${attempt} of "${itemId}" is not in this bundle`);
      return getJson<AttemptDetail>(`data/runs/${key}/attempts/${number}.json`);
    },
  };
}
