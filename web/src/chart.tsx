import { useEffect, useRef } from 'preact/hooks';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** A vega-lite chart rendered to SVG. */
export function Chart({ spec, label }: { spec: TopLevelSpec; label: string }) {
  const element = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!element.current) return undefined;
    const view = new View(parse(compile(spec).spec), {
      renderer: 'svg',
      container: element.current,
      hover: true,
    });
    void view.runAsync();
    return () => view.finalize();
  }, [JSON.stringify(spec)]);
  return <div class="chart" ref={element} role="img" aria-label={label} />;
}

export function histogram(values: number[], field: string, title: string, maxbins = 20): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 280,
    height: 140,
    data: { values: values.map((value) => ({ [field]: value })) },
    mark: 'bar',
    encoding: {
      x: { field, bin: { maxbins }, type: 'quantitative' },
      y: { aggregate: 'count', type: 'quantitative' },
    },
  };
}

export function bars(
  values: { label: string; value: number }[],
  title: string,
  format = '.0%',
): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 280,
    height: { step: 18 },
    data: { values },
    mark: 'bar',
    encoding: {
      y: { field: 'label', type: 'nominal', sort: null, title: null },
      x: { field: 'value', type: 'quantitative', axis: { format }, title: null },
    },
  };
}
