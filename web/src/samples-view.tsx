import { useEffect, useRef, useState } from 'preact/hooks';
import type { DataSource } from './data-source';
import { seconds } from './format';
import type { Route } from './state';
import type { Filter, RunDetail, SampleRow, SearchProgress } from './types';

const ROW_HEIGHT = 30;
const PAGE = 200;

/** The virtualised sample grid: only visible rows are in the DOM, pages of rows are fetched as they scroll in. */
export function SamplesView({
  source,
  route,
  go,
}: {
  source: DataSource;
  route: Route;
  go: (route: Partial<Route>, replace?: boolean) => void;
}) {
  const [run, setRun] = useState<RunDetail | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [search, setSearch] = useState<SearchProgress | null>(null);
  const [pages, setPages] = useState<Map<number, SampleRow[]>>(new Map());
  const [scrollTop, setScrollTop] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState(route.filter.q ?? '');
  const viewport = useRef<HTMLDivElement>(null);
  const requested = useRef(new Set<number>());
  /** First and last page of rows in view (kept for the live refresh, which fetches only those again). */
  const visiblePages = useRef<[number, number]>([0, 0]);
  const filterKey = JSON.stringify(route.filter);

  useEffect(() => {
    source.run(route.run!).then(setRun, (failure: Error) => setError(failure.message));
  }, [route.run]);
  useEffect(() => {
    requested.current = new Set([0]);
    setPages(new Map());
    setTotal(null);
    source.samples(route.run!, route.filter, 0, PAGE).then(
      (page) => {
        setTotal(page.total);
        setPages(new Map([[0, page.rows]]));
        setSearch(page.search ?? null);
      },
      (failure: Error) => setError(failure.message),
    );
    if (viewport.current) viewport.current.scrollTop = 0;
  }, [route.run, filterKey]);
  // While the run's search text is still being indexed, ask again each second: the progress moves, and a
  // search's matches grow as items are indexed.
  useEffect(() => {
    if (!search || search.indexed >= search.total) return undefined;
    const timer = setTimeout(() => {
      const key = filterKey;
      source.samples(route.run!, route.filter, 0, PAGE).then((page) => {
        if (key !== filterKey) return;
        setSearch(page.search ?? null);
        if (!route.filter.q) return;
        requested.current = new Set([0]);
        setTotal(page.total);
        setPages(new Map([[0, page.rows]]));
      });
    }, 1000);
    return () => clearTimeout(timer);
  }, [search, filterKey]);

  // A run being written: on a change event for this run (or a poll tick), the pages already fetched are
  // fetched again in place (verdicts of pending items, new samples), the scroll position kept.
  useEffect(() => {
    let stale = false;
    const unsubscribe = source.subscribe((runs) => {
      if (runs && !runs.includes(route.run!)) return;
      // Only the pages in view are fetched again; the others are forgotten and fetched when scrolled to.
      const [low, high] = visiblePages.current;
      const refetch = [...requested.current].filter((page) => page === 0 || (page >= low && page <= high));
      requested.current = new Set(refetch);
      setPages((current) => new Map([...current].filter(([page]) => requested.current.has(page))));
      for (const page of refetch)
        source.samples(route.run!, route.filter, page * PAGE, PAGE).then((result) => {
          if (stale) return;
          if (page === 0) {
            setTotal(result.total);
            setSearch(result.search ?? null);
          }
          setPages((current) => new Map(current).set(page, result.rows));
        });
    });
    return () => {
      stale = true;
      unsubscribe();
    };
  }, [route.run, filterKey]);

  const height = viewport.current?.clientHeight ?? 600;
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - 10);
  const last = Math.min(total ?? 0, Math.ceil((scrollTop + height) / ROW_HEIGHT) + 10);
  visiblePages.current = [Math.floor(first / PAGE), Math.floor(Math.max(first, last - 1) / PAGE)];
  useEffect(() => {
    if (total === null) return;
    for (let page = Math.floor(first / PAGE); page <= Math.floor(Math.max(first, last - 1) / PAGE); page++) {
      if (requested.current.has(page)) continue;
      requested.current.add(page);
      const key = filterKey;
      source.samples(route.run!, route.filter, page * PAGE, PAGE).then((result) => {
        if (key === filterKey) setPages((current) => new Map(current).set(page, result.rows));
      });
    }
  }, [first, last, total, filterKey]);

  const setFilter = (change: Filter) => go({ filter: { ...route.filter, ...change } }, true);
  const select = (key: keyof Filter, label: string, options: string[]) => (
    <label>
      {label}{' '}
      <select
        name={key}
        value={route.filter[key] ?? ''}
        onChange={(event) => setFilter({ [key]: event.currentTarget.value || undefined })}
      >
        <option value="">any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
  if (error) return <p class="error">{error}</p>;
  const rows: { index: number; row: SampleRow | undefined }[] = [];
  for (let index = first; index < last; index++)
    rows.push({ index, row: pages.get(Math.floor(index / PAGE))?.[index % PAGE] });
  return (
    <section class="samples">
      <h1>
        <a
          href={`?run=${encodeURIComponent(route.run!)}`}
          onClick={(event) => {
            event.preventDefault();
            go({ view: 'run', filter: {} });
          }}
        >
          {run?.label ?? route.run}
        </a>{' '}
        · samples <small class="total">{total === null ? '…' : `${total} shown`}</small>
      </h1>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          setFilter({ q: query || undefined });
        }}
      >
        <input
          name="q"
          type="search"
          placeholder="search questions, reasoning, code, output, results, answers"
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
        />
        <button type="submit">search</button>
        {search && search.indexed < search.total && (
          <small class="indexing" title="search covers the samples indexed so far">
            indexing… {search.indexed}/{search.total}
          </small>
        )}
        {select('verdict', 'verdict', ['right', 'wrong', 'error', 'pending'])}
        {select('errorKind', 'error kind', run?.facets?.errorKinds ?? [])}
        {select('category', 'category', run?.facets?.categories ?? [])}
        {select('capability', 'capability', ['perception', 'search', 'reason', 'integration'])}
        {select('tools', 'tools', ['none', 'code', 'search', 'both'])}
        {select('toolCategory', 'tool category', [
          'crop',
          'numerical',
          'mark',
          'other-image',
          'image-search',
          'text-search',
        ])}
        {select('stopReason', 'stop', run?.facets?.stopReasons ?? [])}
        <label>
          turns{' '}
          <input
            name="turnsMin"
            type="number"
            min="0"
            value={route.filter.turnsMin ?? ''}
            onChange={(event) => setFilter({ turnsMin: event.currentTarget.value || undefined })}
          />
        </label>
        <label>
          to{' '}
          <input
            name="turnsMax"
            type="number"
            min="0"
            value={route.filter.turnsMax ?? ''}
            onChange={(event) => setFilter({ turnsMax: event.currentTarget.value || undefined })}
          />
        </label>
        {select('sort', 'sort', ['position', 'turns', 'duration', 'id'])}
      </form>
      <div class="grid-header row">
        <span>id</span>
        <span>question</span>
        <span>answer</span>
        <span>target</span>
        <span>verdict</span>
        <span>tools</span>
        <span>turns</span>
        <span>time</span>
      </div>
      <div class="grid" ref={viewport} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <div style={{ height: `${(total ?? 0) * ROW_HEIGHT}px`, position: 'relative' }}>
          {rows.map(({ index, row }) => (
            // biome-ignore lint/a11y/useSemanticElements: virtualised rows are absolutely positioned grid cells, not buttons
            <div
              key={index}
              class={`row ${row?.verdict ?? ''}`}
              style={{ top: `${index * ROW_HEIGHT}px` }}
              data-sample={row?.id}
              role="button"
              tabIndex={0}
              onClick={() => row && go({ view: 'sample', sample: row.id })}
              onKeyDown={(event) => event.key === 'Enter' && row && go({ view: 'sample', sample: row.id })}
            >
              {row ? (
                <>
                  <span>{row.id}</span>
                  <span title={row.question}>{row.question}</span>
                  <span>{row.prediction ?? '—'}</span>
                  <span>{row.reference}</span>
                  <span class="verdict">
                    {row.verdict}
                    {row.errorKind ? ` (${row.errorKind})` : ''}
                  </span>
                  <span>
                    {row.tools}
                    {row.toolCategories.length ? `: ${row.toolCategories.join(', ')}` : ''}
                  </span>
                  <span>{row.turns}</span>
                  <span>{seconds(row.durationMs)}</span>
                </>
              ) : (
                <span>…</span>
              )}
            </div>
          ))}
        </div>
      </div>
    </section>
  );
}
