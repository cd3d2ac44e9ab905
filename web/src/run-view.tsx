import { useEffect, useState } from 'preact/hooks';
import { bars, Chart, histogram } from './chart';
import type { DataSource } from './data-source';
import { percent } from './format';
import type { Route } from './state';
import type { GroupStats, RunDetail } from './types';

const MIX_LABELS: Record<string, string> = {
  crop: 'Crop/zoom',
  numerical: 'Numerical analysis',
  mark: 'Mark',
  'other-image': 'Other image ops',
  'image-search': 'Image search',
  'text-search': 'Text search',
};

function StatsTable({ rows, title }: { rows: GroupStats[]; title: string }) {
  return (
    <table class="stats">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th />
          <th>items</th>
          <th>accuracy</th>
          <th>tool use</th>
          <th>errors</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.key}>
            <td>{row.key}</td>
            <td>{row.items}</td>
            <td>{percent(row.accuracy)}</td>
            <td>{percent(row.toolUseRate)}</td>
            <td>{row.errors}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** One run: accuracy by category and capability, tool use and mix, histograms, who decided; curation and training runs get their own panels. */
export function RunView({
  source,
  route,
  go,
}: {
  source: DataSource;
  route: Route;
  go: (route: Partial<Route>) => void;
}) {
  const [run, setRun] = useState<RunDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stale = false;
    const load = () =>
      source.run(route.run!).then(
        (detail) => !stale && setRun(detail),
        (failure: Error) => !stale && setError(failure.message),
      );
    void load();
    // A run being written: its analytics follow the server's change events (or polling).
    const unsubscribe = source.subscribe((runs) => {
      if (!runs || runs.includes(route.run!)) void load();
    });
    return () => {
      stale = true;
      unsubscribe();
    };
  }, [route.run]);
  if (error) return <p class="error">{error}</p>;
  if (!run) return <p>Loading run…</p>;
  return (
    <section>
      <h1>
        {run.label} <small>{run.kind}</small>
      </h1>
      {(run.kind === 'eval' || run.kind === 'trajectories') && (
        <button type="button" onClick={() => go({ view: 'samples', run: run.id })}>
          Samples
        </button>
      )}
      {run.analytics && <EvalPanels run={run} />}
      {run.kind === 'trajectories' && (
        <p>A folder of trajectories: no scores or analytics in this store; open the samples.</p>
      )}
      {run.curation && <CurationPanels run={run} go={go} />}
      {run.training && <TrainingPanels run={run} />}
    </section>
  );
}

function EvalPanels({ run }: { run: RunDetail }) {
  const analytics = run.analytics!;
  const overall = analytics.overall;
  const categories = analytics.byField.find((field) => field.field === 'category')?.rows ?? [];
  const mixTotal = Object.values(overall.toolMix).reduce((sum, count) => sum + count, 0);
  return (
    <div class="panels">
      <p class="headline">
        accuracy <b>{percent(overall.accuracy)}</b> · tool-use rate <b>{percent(overall.toolUseRate)}</b> ·{' '}
        {overall.items} items, {overall.errors} errors
      </p>
      <StatsTable rows={categories} title="By category" />
      {analytics.capabilities ? (
        <StatsTable rows={analytics.capabilities} title="RealX-Bench capabilities" />
      ) : (
        <p>No capability flags in this run (RealX-Bench only).</p>
      )}
      {mixTotal > 0 ? (
        <Chart
          label="tool mix"
          spec={bars(
            Object.entries(overall.toolMix).map(([key, count]) => ({
              label: MIX_LABELS[key] ?? key,
              value: count / mixTotal,
            })),
            'Tool mix (share of calls)',
          )}
        />
      ) : (
        <p>No tool calls.</p>
      )}
      <Chart label="turns" spec={histogram(analytics.turns, 'turns', 'Turns per item', 10)} />
      <Chart
        label="latency"
        spec={histogram(
          analytics.durationsMs.map((ms) => ms / 1000),
          'seconds',
          'Latency per item (s)',
        )}
      />
      <table class="stats">
        <caption>Who decided</caption>
        <tbody>
          {Object.entries(analytics.verifiers).map(([verifier, count]) => (
            <tr key={verifier}>
              <td>{verifier}</td>
              <td>{count}</td>
            </tr>
          ))}
          {Object.entries(analytics.errorsByKind).map(([kind, count]) => (
            <tr key={kind}>
              <td>error: {kind}</td>
              <td>{count}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CurationPanels({ run, go }: { run: RunDetail; go: (route: Partial<Route>) => void }) {
  const curation = run.curation!;
  return (
    <div class="panels">
      <table class="stats">
        <caption>Funnel</caption>
        <thead>
          <tr>
            <th>stage</th>
            <th>kept</th>
            <th>dropped</th>
          </tr>
        </thead>
        <tbody>
          {curation.funnel.map((row) => (
            <tr key={row.stage}>
              <td>{row.stage}</td>
              <td>{row.kept}</td>
              <td>{row.dropped}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="stats">
        <caption>Drop reasons</caption>
        <tbody>
          {curation.drops.map((row) => (
            <tr key={`${row.stage}${row.reason}`}>
              <td>{row.stage}</td>
              <td>{row.reason}</td>
              <td>{row.count}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {curation.passRates.length > 0 ? (
        <Chart
          label="pass rates"
          spec={bars(
            curation.passRates.map((row) => ({
              label: `${row.stage} ${row.passes} passes`,
              value: row.items,
            })),
            'Pass-rate histogram (items)',
            'd',
          )}
        />
      ) : (
        <p>
          No rollouts stored yet: the pass-rate histograms appear after the difficulty and tool-benefit
          stages.
        </p>
      )}
      <table class="stats">
        <caption>Teacher acceptance</caption>
        <tbody>
          {curation.teachers.map((row) => (
            <tr key={row.teacher}>
              <td>{row.teacher}</td>
              <td>
                {row.accepted}/{row.attempts}
              </td>
              <td>{percent(row.accepted / row.attempts)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table class="stats">
        <caption>Rejected teacher trajectories</caption>
        <tbody>
          {curation.rejected.slice(0, 200).map((row) => (
            <tr key={`${row.id}-${row.attempt}`} data-attempt={`${row.id}#${row.attempt}`}>
              <td>
                <a
                  href={`?run=${encodeURIComponent(run.id)}&sample=${encodeURIComponent(row.id)}&attempt=${row.attempt}`}
                  onClick={(event) => {
                    event.preventDefault();
                    go({ view: 'attempt', sample: row.id, attempt: String(row.attempt) });
                  }}
                >
                  {row.id}
                </a>
              </td>
              <td>#{row.attempt}</td>
              <td>{row.teacher}</td>
              <td>{row.reasons.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TrainingPanels({ run }: { run: RunDetail }) {
  const points = run.training!.points.filter((point) => point.value !== null);
  const keys = [...new Set(points.map((point) => point.key))].sort();
  if (keys.length === 0) return <p>This metrics store holds no points yet.</p>;
  return (
    <div class="panels">
      {keys.map((key) => (
        <Chart
          key={key}
          label={key}
          spec={{
            $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
            title: key,
            width: 280,
            height: 140,
            data: { values: points.filter((point) => point.key === key) },
            mark: 'line',
            encoding: {
              x: { field: 'step', type: 'quantitative' },
              y: { field: 'value', type: 'quantitative', scale: { zero: false } },
              color: { field: 'run', type: 'nominal' },
            },
          }}
        />
      ))}
    </div>
  );
}
