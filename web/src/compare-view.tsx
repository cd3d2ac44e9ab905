import { useEffect, useState } from 'preact/hooks';
import { type CompareRow, compareMany, type MultiComparison } from '../../src/view/compare-runs';
import type { DataSource } from './data-source';
import { percent } from './format';
import type { Route } from './state';
import { Trajectory } from './trajectory-view';
import type { RunListing, SampleDetail } from './types';

/** Flipped items listed per run before "N more". */
const FLIPS_SHOWN = 200;
/** Rows of the all-items table (flipped in any run first). */
const ITEMS_SHOWN = 500;

const signed = (value: number | null) =>
  value === null ? '—' : `${value > 0 ? '+' : value < 0 ? '−' : '±'}${percent(Math.abs(value))}`;

/**
 * A baseline against one or more runs on the same benchmark: per-category deltas, each run's flipped items
 * (right → wrong first), its exact McNemar p-value and bootstrap CI, and any two runs' trajectories of an
 * item side by side. State in the URL: `?compare=base,run1,run2&sample=…&pair=0,2`.
 */
export function CompareView({
  source,
  route,
  go,
}: {
  source: DataSource;
  route: Route;
  go: (route: Partial<Route>, replace?: boolean) => void;
}) {
  const [runs, setRuns] = useState<RunListing[]>([]);
  const [comparison, setComparison] = useState<MultiComparison | null>(null);
  const [pair, setPair] = useState<[SampleDetail | null, SampleDetail | null] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const ids = route.compare ?? [];
  const key = ids.join('\n');
  useEffect(() => {
    source.runs().then(
      (list) => setRuns(list.filter((run) => run.kind === 'eval' && !run.error)),
      (failure: Error) => setError(failure.message),
    );
  }, []);
  useEffect(() => {
    setComparison(null);
    setError(null);
    if (ids.length < 2) return;
    let stale = false;
    Promise.all(ids.map((id) => source.rows(id))).then(
      (all) => {
        if (stale) return;
        const [baseRows, ...others] = all as CompareRow[][];
        setComparison(
          compareMany(
            { id: ids[0]!, rows: baseRows! },
            others.map((rows, index) => ({ id: ids[index + 1]!, rows })),
          ),
        );
      },
      (failure: Error) => !stale && setError(failure.message),
    );
    return () => {
      stale = true;
    };
  }, [key]);
  const [left, right] = route.pair ?? [0, 1];
  const leftId = ids[left];
  const rightId = ids[right];
  useEffect(() => {
    setPair(null);
    if (!route.sample || !leftId || !rightId) return;
    let stale = false;
    const load = (id: string) => source.sample(id, route.sample!, {}).catch(() => null);
    Promise.all([load(leftId), load(rightId)]).then((details) => !stale && setPair(details));
    return () => {
      stale = true;
    };
  }, [leftId, rightId, route.sample]);

  const label = (id: string) => runs.find((run) => run.id === id)?.label ?? id;
  const baseline = ids[0];
  const benchmark = runs.find((run) => run.id === baseline)?.summary?.benchmark;
  const candidates = runs.filter((run) => run.id !== baseline && run.summary?.benchmark === benchmark);
  const setIds = (next: string[]) => go({ compare: next, sample: undefined, pair: undefined }, true);
  const onBaseline = (id: string) => {
    const chosen = runs.find((run) => run.id === id)?.summary?.benchmark;
    const kept = ids
      .slice(1)
      .filter((other) => other !== id && runs.find((run) => run.id === other)?.summary?.benchmark === chosen);
    setIds([id, ...kept]);
  };
  const toggle = (id: string, on: boolean) =>
    setIds(on ? [...ids, id] : ids.filter((other, index) => index === 0 || other !== id));
  const side = (which: 0 | 1) => (
    <select
      name={which === 0 ? 'left' : 'right'}
      value={String(which === 0 ? left : right)}
      onChange={(event) => {
        const chosen = Number(event.currentTarget.value);
        go({ pair: which === 0 ? [chosen, right] : [left, chosen] }, true);
      }}
    >
      {ids.map((id, index) => (
        <option key={id} value={String(index)}>
          {index === 0 ? `baseline: ${label(id)}` : label(id)}
        </option>
      ))}
    </select>
  );
  return (
    <section>
      <h1>Compare</h1>
      <div class="filters compare-pickers">
        <label>
          baseline{' '}
          <select
            name="baseline"
            value={baseline ?? ''}
            onChange={(event) => onBaseline(event.currentTarget.value)}
          >
            {!baseline && <option value="">choose…</option>}
            {runs.map((run) => (
              <option key={run.id} value={run.id}>
                {run.label}
              </option>
            ))}
          </select>
        </label>
        <span>runs:</span>
        {candidates.length === 0 && <span>no other run on this benchmark</span>}
        {candidates.map((run) => (
          <label key={run.id}>
            <input
              type="checkbox"
              name="run"
              value={run.id}
              checked={ids.includes(run.id)}
              onChange={(event) => toggle(run.id, event.currentTarget.checked)}
            />{' '}
            {run.label}
          </label>
        ))}
      </div>
      {error && <p class="error">{error}</p>}
      {ids.length < 2 && !error && <p>Choose a baseline and at least one run on the same benchmark.</p>}
      {comparison && (
        <div class="comparison">
          <p class="headline">
            baseline <b>{label(comparison.baseline)}</b>: accuracy {percent(comparison.baselineAccuracy)} ·{' '}
            {comparison.runs.length} run{comparison.runs.length > 1 ? 's' : ''} compared, each paired with the
            baseline by item id (errors and pending items left out); p-values are per run, not corrected for
            multiple runs.
          </p>
          <table class="stats by-category">
            <caption>Accuracy by category (Δ against the baseline, over the items both scored)</caption>
            <thead>
              <tr>
                <th />
                <th>baseline</th>
                {comparison.runs.map((run) => (
                  <th key={run.id}>{label(run.id)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {comparison.categories.map((row) => (
                <tr key={row.category}>
                  <td>{row.category}</td>
                  <td>{percent(row.baseline)}</td>
                  {row.runs.map((cell) => (
                    <td key={cell.id} title={`${cell.paired} paired items`}>
                      {percent(cell.candidate)} <small>({signed(cell.delta)})</small>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          <div class="compared-runs">
            {comparison.runs.map((run, index) => {
              const result = run.comparison;
              return (
                <section class="compared" key={run.id} data-run={run.id}>
                  <h2>{label(run.id)}</h2>
                  <p class="headline">
                    {result.paired} paired · {percent(result.baselineAccuracy)} →{' '}
                    {percent(result.candidateAccuracy)} · right→wrong <b>{result.rightToWrong}</b>,
                    wrong→right <b>{result.wrongToRight}</b> ·{' '}
                    <span class="pvalue">McNemar exact p = {result.mcnemarP.toPrecision(3)}</span>
                    {result.bootstrap && (
                      <span class="ci">
                        {' '}
                        · 95% bootstrap CI on the difference [{signed(result.bootstrap.low)},{' '}
                        {signed(result.bootstrap.high)}]
                      </span>
                    )}
                  </p>
                  <table class="stats flips">
                    <caption>Flipped items</caption>
                    <tbody>
                      {result.flips.slice(0, FLIPS_SHOWN).map((flip) => (
                        <tr
                          key={flip.id}
                          data-flip={flip.id}
                          class={`${flip.direction === 'right→wrong' ? 'worse' : 'better'}${
                            route.sample === flip.id && right === index + 1 ? ' selected' : ''
                          }`}
                          onClick={() => go({ sample: flip.id, pair: [0, index + 1] }, true)}
                        >
                          <td>{flip.id}</td>
                          <td>{flip.category}</td>
                          <td>{flip.direction}</td>
                        </tr>
                      ))}
                      {result.flips.length === 0 && (
                        <tr>
                          <td>no item flipped</td>
                        </tr>
                      )}
                    </tbody>
                  </table>
                  {result.flips.length > FLIPS_SHOWN && (
                    <small>and {result.flips.length - FLIPS_SHOWN} more flipped items</small>
                  )}
                </section>
              );
            })}
          </div>
          <table class="stats items-matrix">
            <caption>
              Items, flipped in any run first ({comparison.items.filter((item) => item.flippedIn > 0).length}{' '}
              of {comparison.items.length})
            </caption>
            <thead>
              <tr>
                <th>item</th>
                <th>category</th>
                <th>baseline</th>
                {comparison.runs.map((run) => (
                  <th key={run.id}>{label(run.id)}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {comparison.items.slice(0, ITEMS_SHOWN).map((item) => {
                const base = item.verdicts[0];
                const flipped = (verdict: string | undefined) =>
                  (base === 'right' || base === 'wrong') &&
                  (verdict === 'right' || verdict === 'wrong') &&
                  verdict !== base;
                const firstFlip = item.verdicts.findIndex((verdict, index) => index > 0 && flipped(verdict));
                return (
                  <tr
                    key={item.id}
                    data-item={item.id}
                    class={route.sample === item.id ? 'selected' : ''}
                    onClick={() => go({ sample: item.id, pair: [0, firstFlip > 0 ? firstFlip : 1] }, true)}
                  >
                    <td>{item.id}</td>
                    <td>{item.category}</td>
                    {item.verdicts.map((verdict, index) => (
                      <td key={index} class={index > 0 && flipped(verdict) ? `flip ${verdict}` : ''}>
                        {verdict ?? '—'}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
          {comparison.items.length > ITEMS_SHOWN && (
            <small>first {ITEMS_SHOWN} items shown (flipped ones first)</small>
          )}
        </div>
      )}
      {route.sample && ids.length >= 2 && (
        <div class="side-by-side-panel">
          <h2>
            {route.sample}: {side(0)} vs {side(1)}
          </h2>
          {pair && (
            <div class="side-by-side">
              {pair.map((detail, which) => (
                <div key={which}>
                  <h3>{label((which === 0 ? leftId : rightId) ?? '')}</h3>
                  {detail ? (
                    <Trajectory detail={detail} />
                  ) : (
                    <p class="error">this run has no sample "{route.sample}"</p>
                  )}
                </div>
              ))}
            </div>
          )}
        </div>
      )}
    </section>
  );
}
