import { useEffect, useState } from 'preact/hooks';
import type { DataSource } from './data-source';
import { percent, text } from './format';
import type { Route } from './state';
import type { RunListing } from './types';

const COLUMNS: { key: string; label: string; value: (run: RunListing) => unknown }[] = [
  { key: 'label', label: 'run', value: (run) => run.label },
  { key: 'kind', label: 'kind', value: (run) => run.kind },
  { key: 'benchmark', label: 'benchmark', value: (run) => run.summary?.benchmark },
  { key: 'model', label: 'model', value: (run) => (run.summary?.models as string[] | undefined)?.join(', ') },
  { key: 'mode', label: 'mode', value: (run) => run.summary?.mode },
  { key: 'profile', label: 'profile', value: (run) => run.summary?.profile },
  { key: 'started', label: 'started', value: (run) => run.summary?.createdAt },
  { key: 'items', label: 'items', value: (run) => run.summary?.items },
  { key: 'accuracy', label: 'accuracy', value: (run) => run.summary?.accuracy },
  { key: 'tooluse', label: 'tool use', value: (run) => run.summary?.toolUseRate },
  { key: 'errors', label: 'errors', value: (run) => run.summary?.errors },
  { key: 'status', label: 'status', value: (run) => (run.error ? 'unreadable' : run.summary?.status) },
];

/** The table of runs, refreshed when the server reports a change (progress of running evals). */
export function RunsView({ source, go }: { source: DataSource; go: (route: Partial<Route>) => void }) {
  const [runs, setRuns] = useState<RunListing[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sort, setSort] = useState<{ key: string; descending: boolean }>({ key: 'label', descending: false });
  const [filter, setFilter] = useState('');
  useEffect(() => {
    let stopped = false;
    const load = () =>
      source.runs().then(
        (list) => !stopped && setRuns(list),
        (failure: Error) => !stopped && setError(failure.message),
      );
    void load();
    // Server-sent events say when runs change (new runs, runs being written); polling if they are refused.
    const unsubscribe = source.subscribe(() => void load());
    return () => {
      stopped = true;
      unsubscribe();
    };
  }, [source]);
  if (error) return <p class="error">{error}</p>;
  if (!runs) return <p>Loading runs…</p>;
  const column = COLUMNS.find((candidate) => candidate.key === sort.key) ?? COLUMNS[0]!;
  const needle = filter.toLowerCase();
  const shown = runs
    .filter(
      (run) =>
        !needle ||
        COLUMNS.some((candidate) =>
          String(candidate.value(run) ?? '')
            .toLowerCase()
            .includes(needle),
        ),
    )
    .sort((left, right) => {
      const a = column.value(left) ?? '';
      const b = column.value(right) ?? '';
      return (a < b ? -1 : a > b ? 1 : 0) * (sort.descending ? -1 : 1);
    });
  const evalRuns = runs.filter((run) => run.kind === 'eval' && !run.error);
  const byBenchmark = new Map<unknown, RunListing[]>();
  for (const run of evalRuns)
    byBenchmark.set(run.summary?.benchmark, [...(byBenchmark.get(run.summary?.benchmark) ?? []), run]);
  const comparable = [...byBenchmark.values()].reduce<RunListing[]>(
    (best, group) => (group.length > best.length ? group : best),
    [],
  );
  return (
    <section>
      <h1>Runs</h1>
      <input
        placeholder="filter runs"
        value={filter}
        onInput={(event) => setFilter(event.currentTarget.value)}
      />
      {comparable.length >= 2 && (
        <button
          type="button"
          // The first run of the benchmark with the most runs as baseline, against the others (changeable there).
          onClick={() => go({ view: 'compare', compare: comparable.map((run) => run.id) })}
        >
          Compare runs
        </button>
      )}
      <table class="runs">
        <thead>
          <tr>
            {COLUMNS.map((candidate) => (
              <th
                key={candidate.key}
                onClick={() =>
                  setSort({ key: candidate.key, descending: sort.key === candidate.key && !sort.descending })
                }
              >
                {candidate.label}
                {sort.key === candidate.key ? (sort.descending ? ' ▼' : ' ▲') : ''}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((run) => (
            <tr key={run.id} data-run={run.id} class={run.error ? 'broken' : ''}>
              <td>
                <a
                  href={`?run=${encodeURIComponent(run.id)}`}
                  onClick={(event) => {
                    event.preventDefault();
                    go({ view: 'run', run: run.id });
                  }}
                >
                  {run.label}
                </a>
                {run.error && <div class="error">{run.error}</div>}
              </td>
              <td>{run.kind}</td>
              <td>{text(run.summary?.benchmark)}</td>
              <td>{text((run.summary?.models as string[] | undefined)?.join(', '))}</td>
              <td>{text(run.summary?.mode)}</td>
              <td>{text(run.summary?.profile)}</td>
              <td>{text(run.summary?.createdAt)}</td>
              <td>{text(run.summary?.items)}</td>
              <td>{percent(run.summary?.accuracy)}</td>
              <td>{percent(run.summary?.toolUseRate)}</td>
              <td>{text(run.summary?.errors)}</td>
              <td>
                {run.error ? 'unreadable' : text(run.summary?.status)}
                {run.summary?.status === 'running' && (
                  <progress
                    max={Number(run.summary.items)}
                    value={Number(run.summary.done) + Number(run.summary.errors)}
                  />
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
