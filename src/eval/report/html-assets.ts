/** Inline CSS and the filter script of report.html (the file must work offline, from disk). */
export const REPORT_CSS = `
:root { --fg: #1d1f24; --muted: #667; --line: #dde; --ok: #1b7f3b; --bad: #b3261e; --err: #8a5a00; }
body { font: 14px/1.45 system-ui, sans-serif; color: var(--fg); margin: 0 auto; max-width: 1200px; padding: 16px 24px 64px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid var(--line); }
table { border-collapse: collapse; margin: 8px 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: right; } th:first-child, td:first-child { text-align: left; }
th { background: #f5f5f9; }
.charts { display: flex; flex-wrap: wrap; gap: 24px; } .chart { margin: 0; } .chart svg { max-width: 100%; height: auto; }
.filters { position: sticky; top: 0; background: #fff; padding: 8px 0; border-bottom: 1px solid var(--line); display: flex; gap: 14px; flex-wrap: wrap; align-items: center; z-index: 1; }
.item { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; padding: 4px 10px; }
.item[hidden] { display: none; }
summary { cursor: pointer; } summary .question { color: var(--muted); }
.badge { display: inline-block; min-width: 52px; text-align: center; border-radius: 4px; color: #fff; font-size: 12px; padding: 0 4px; }
.badge.correct { background: var(--ok); } .badge.wrong { background: var(--bad); } .badge.error { background: var(--err); } .badge.pending { background: #999; }
.id { font-family: ui-monospace, monospace; } .category, .run-label, .tools { color: var(--muted); font-size: 12px; }
.facts { margin: 8px 0; display: grid; gap: 2px; } .error-text { color: var(--err); }
pre { white-space: pre-wrap; word-break: break-word; background: #f7f7fa; border: 1px solid #eee; padding: 6px 8px; margin: 4px 0; max-height: 420px; overflow: auto; }
pre.source { background: #f2f6ff; } pre.stderr { background: #fff3f0; } pre.observation { background: #f4fbf4; }
.label { font-size: 12px; color: var(--muted); margin-top: 6px; } .note { color: var(--muted); font-size: 12px; }
.turns { padding-left: 18px; } .images img { margin: 4px 6px 4px 0; border: 1px solid var(--line); max-width: 360px; height: auto; }
`;

/** Shows items whose status is ticked and whose category/run match the selects; updates the count. */
export const REPORT_SCRIPT = `
(() => {
  const boxes = [...document.querySelectorAll('.filters input[data-status]')];
  const category = document.getElementById('category-filter');
  const run = document.getElementById('run-filter');
  const count = document.getElementById('shown-count');
  const items = [...document.querySelectorAll('article.item')];
  function apply() {
    const statuses = new Set(boxes.filter((box) => box.checked).map((box) => box.dataset.status));
    let shown = 0;
    for (const item of items) {
      const visible = statuses.has(item.dataset.status)
        && (!category.value || item.dataset.category === category.value)
        && (!run.value || item.dataset.run === run.value);
      item.hidden = !visible;
      if (visible) shown++;
    }
    count.textContent = shown + ' of ' + items.length + ' items shown';
  }
  for (const box of boxes) box.addEventListener('change', apply);
  category.addEventListener('change', apply);
  run.addEventListener('change', apply);
  apply();
})();
`;
