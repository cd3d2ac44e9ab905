import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { CompareView } from './compare-view';
import { liveSource, staticSource } from './data-source';
import { RunView } from './run-view';
import { RunsView } from './runs-view';
import { SamplesView } from './samples-view';
import { type Route, readRoute, routeUrl } from './state';
import { AttemptView, TrajectoryView } from './trajectory-view';
import './style.css';

declare global {
  interface Window {
    __DEEPEYES_STATIC__?: boolean;
  }
}

function App() {
  const source = useMemo(() => (window.__DEEPEYES_STATIC__ ? staticSource() : liveSource()), []);
  const [route, setRoute] = useState<Route>(() => readRoute(location.search));
  useEffect(() => {
    const onPop = () => setRoute(readRoute(location.search));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const go = (change: Partial<Route>, replace = false) => {
    const next: Route = { ...route, ...change, filter: change.filter ?? route.filter };
    if (change.view === 'runs')
      Object.assign(next, {
        run: undefined,
        sample: undefined,
        compare: undefined,
        pair: undefined,
        attempt: undefined,
        filter: {},
      });
    if (change.view === 'compare') Object.assign(next, { run: undefined, filter: {} });
    const url = routeUrl(next);
    if (replace) history.replaceState(null, '', url);
    else history.pushState(null, '', url);
    setRoute(readRoute(url.startsWith('?') ? url : ''));
  };
  return (
    <>
      <nav class="top">
        <a
          href="?"
          onClick={(event) => {
            event.preventDefault();
            go({ view: 'runs' });
          }}
        >
          deepeyes view
        </a>
        {!source.live && <span class="badge">static bundle</span>}
      </nav>
      <main>
        {route.view === 'runs' && <RunsView source={source} go={go} />}
        {route.view === 'run' && route.run && <RunView source={source} route={route} go={go} />}
        {route.view === 'samples' && route.run && <SamplesView source={source} route={route} go={go} />}
        {route.view === 'sample' && route.run && route.sample && (
          <TrajectoryView source={source} route={route} go={go} />
        )}
        {route.view === 'attempt' && route.run && route.sample && route.attempt && (
          <AttemptView source={source} route={route} go={go} />
        )}
        {route.view === 'compare' && <CompareView source={source} route={route} go={go} />}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
