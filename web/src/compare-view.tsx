import { useEffect, useState } from 'preact/hooks';
import { type Comparison, compareRuns } from '../../src/view/compare-runs';
import type { DataSource } from './data-source';
import { percent } from './format';
import type { Route } from './state';
import { Trajectory } from './trajectory-view';
import type { RunListing, SampleDetail } from './types';

/** Baseline vs another run on the same benchmark: deltas, flipped items first, McNemar and a bootstrap CI. */
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
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [pair, setPair] = useState<[SampleDetail, SampleDetail] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    source.runs().then((list) => setRuns(list.filter((run) => run.kind === 'eval' && !run.error)));
  }, []);
  useEffect(() => {
    if (!route.base || !route.other) return;
    setComparison(null);
    Promise.all([source.rows(route.base), source.rows(route.other)]).then(
      ([base, other]) => setComparison(compareRuns(base, other)),
      (failure: Error) => setError(failure.message),
    );
  }, [route.base, route.other]);
  useEffect(() => {
    setPair(null);
    if (!route.sample || !route.base || !route.other) return;
    Promise.all([
      source.sample(route.base, route.sample, {}),
      source.sample(route.other, route.sample, {}),
    ]).then((details) => setPair(details as [SampleDetail, SampleDetail]));
  }, [route.base, route.other, route.sample]);
  const benchmark = runs.find((run) => run.id === route.base)?.summary?.benchmark;
  const picker = (key: 'base' | 'other', label: string, sameBenchmark: boolean) => (
    <label>
      {label}{' '}
      <select
        name={key}
        value={route[key] ?? ''}
        onChange={(event) => go({ [key]: event.currentTarget.value, sample: undefined }, true)}
      >
        {runs
          .filter((run) => !sameBenchmark || run.summary?.benchmark === benchmark)
          .map((run) => (
            <option key={run.id} value={run.id}>
              {run.label}
            </option>
          ))}
      </select>
    </label>
  );
  return (
    <section>
      <h1>Compare</h1>
      {picker('base', 'baseline', false)} {picker('other', 'run', true)}
      {error && <p class="error">{error}</p>}
      {comparison && (
        <div class="comparison">
          <p class="headline">
            {comparison.paired} paired items · baseline {percent(comparison.baselineAccuracy)} →{' '}
            {percent(comparison.candidateAccuracy)} · right→wrong {comparison.rightToWrong}, wrong→right{' '}
            {comparison.wrongToRight} ·{' '}
            <span class="pvalue">McNemar exact p = {comparison.mcnemarP.toPrecision(3)}</span>
            {comparison.bootstrap && (
              <>
                {' '}
                · 95% bootstrap CI on the difference [{percent(comparison.bootstrap.low)},{' '}
                {percent(comparison.bootstrap.high)}]
              </>
            )}
          </p>
          <table class="stats">
            <caption>By category</caption>
            <thead>
              <tr>
                <th />
                <th>paired</th>
                <th>baseline</th>
                <th>run</th>
                <th>Δ</th>
              </tr>
            </thead>
            <tbody>
              {comparison.byCategory.map((row) => (
                <tr key={row.category}>
                  <td>{row.category}</td>
                  <td>{row.paired}</td>
                  <td>{percent(row.baseline)}</td>
                  <td>{percent(row.candidate)}</td>
                  <td>{percent(row.delta)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table class="stats flips">
            <caption>Flipped items</caption>
            <tbody>
              {comparison.flips.map((flip) => (
                <tr
                  key={flip.id}
                  data-flip={flip.id}
                  class={route.sample === flip.id ? 'selected' : ''}
                  onClick={() => go({ sample: flip.id }, true)}
                >
                  <td>{flip.id}</td>
                  <td>{flip.category}</td>
                  <td>{flip.direction}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {pair && (
        <div class="side-by-side">
          <div>
            <h2>baseline</h2>
            <Trajectory detail={pair[0]} />
          </div>
          <div>
            <h2>run</h2>
            <Trajectory detail={pair[1]} />
          </div>
        </div>
      )}
    </section>
  );
}
