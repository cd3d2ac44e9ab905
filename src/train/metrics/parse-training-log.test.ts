import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectMetrics } from './collect-metrics.js';
import { MetricStore } from './metric-store.js';
import { parsePythonNumber, parseTrainingLog } from './parse-training-log.js';
import { countToolCalls } from './summarize-rollouts.js';
import { buildCurvePanels } from './training-curves.js';
import { writeCurvesReport } from './write-curves-report.js';

const fixtures = new URL('../../../test/fixtures/training/', import.meta.url).pathname;
const read = (name: string) => readFileSync(join(fixtures, name), 'utf8');
const valueAt = (points: { step: number; key: string; value: number }[], key: string, step: number) =>
  points.findLast((point) => point.key === key && point.step === step)?.value;

describe('parsing trainer logs', () => {
  it("reads verl's console lines behind Ray's prefix, NumPy 2 reprs and nan, and notes the cut lines", () => {
    const parsed = parseTrainingLog(read('verl-run/console.log'));
    expect(parsed.format).toBe('verl-console');
    expect(valueAt(parsed.points, 'critic/score/mean', 1)).toBe(0.233);
    expect(valueAt(parsed.points, 'actor/lr', 1)).toBe(1e-6);
    expect(valueAt(parsed.points, 'actor/entropy', 5)).toBeNaN();
    expect(valueAt(parsed.points, 'critic/score/mean', 13)).toBe(0.71);
    expect(valueAt(parsed.points, 'agent/tool_call_mean', 13)).toBe(2);
    // The line cut mid-key keeps what it has (the later line for step 8 wins); the bare "step:9" is noted.
    expect(valueAt(parsed.points, 'critic/score/mean', 8)).toBe(0.5);
    expect(parsed.notes).toEqual([
      'line 10: step 8: could not read "response_length/me"',
      'line 12: looks like a metric line but is cut or malformed',
    ]);
    expect(new Set(parsed.points.map((point) => point.step)).size).toBe(13);
  });

  it("reads verl's file logger JSONL, null for NaN, and notes a last line still being written", () => {
    const parsed = parseTrainingLog(read('verl-run/metrics.jsonl'));
    expect(parsed.format).toBe('verl-jsonl');
    expect(valueAt(parsed.points, 'response_length/mean', 12)).toBeCloseTo(655.79, 2);
    expect(valueAt(parsed.points, 'actor/entropy', 5)).toBeUndefined();
    expect(parsed.notes).toEqual(['line 13: broken JSON (the last line, perhaps still being written)']);
  });

  it("reads LLaMA-Factory's trainer_log.jsonl and trainer_state.json", () => {
    const log = parseTrainingLog(read('sft-run/trainer_log.jsonl'));
    expect(log.format).toBe('llamafactory-jsonl');
    expect(valueAt(log.points, 'loss', 10)).toBe(1.6544);
    expect(valueAt(log.points, 'lr', 20)).toBe(2e-6);
    expect(log.points.some((point) => point.key === 'total_steps' || point.key === 'percentage')).toBe(false);
    const state = parseTrainingLog(read('sft-run/trainer_state.json'));
    expect(state.format).toBe('trainer-state');
    expect(valueAt(state.points, 'loss', 100)).toBe(
      log.points.find((p) => p.key === 'loss' && p.step === 100)?.value,
    );
    expect(valueAt(state.points, 'learning_rate', 100)).toBe(1e-5);
  });

  it('reads Python number reprs as pprint prints them', () => {
    expect(parsePythonNumber('1e-06')).toBe(1e-6);
    expect(parsePythonNumber('np.float32(0.5)')).toBe(0.5);
    expect(parsePythonNumber('-inf')).toBe(Number.NEGATIVE_INFINITY);
    expect(parsePythonNumber('True')).toBe(1);
    expect(parsePythonNumber('tensor(0.5)')).toBeUndefined();
    expect(parsePythonNumber('')).toBeUndefined();
  });

  it('says so when a file has no metric lines', () => {
    expect(parseTrainingLog('hello\nworld\n').notes).toEqual(['no metric lines among 2 line(s)']);
    expect(parseTrainingLog('').notes).toEqual(['the log is empty']);
  });
});

describe('rollout dumps', () => {
  it('counts code and search calls by category', () => {
    const counted = countToolCalls(
      '<code>\n```python\nimage_1.crop((0,0,1,1))\n```\n</code> … <tool_call>{"name": "search", "arguments": {}}</tool_call><tool_call>{"name": "image_search"}</tool_call>',
    );
    expect(counted).toEqual({ calls: 3, categories: { crop: 1, 'text-search': 1, 'image-search': 1 } });
  });

  it('summarizes a run directory: mean ± std tool calls and shares per step, broken lines noted', () => {
    const sources = collectMetrics(join(fixtures, 'verl-run'));
    expect(sources.map((source) => [source.source, source.format])).toEqual([
      ['console.log', 'verl-console'],
      ['metrics.jsonl', 'verl-jsonl'],
      ['rollouts', 'verl-rollouts'],
    ]);
    const rollouts = sources[2]!;
    // Step 1: outputs cycle code(1 call), search(2 calls), direct(0) → 1 ± 0.8165.
    expect(valueAt(rollouts.points, 'rollout/tool_calls/mean', 1)).toBe(1);
    expect(valueAt(rollouts.points, 'rollout/tool_calls/std', 1)).toBeCloseTo(Math.sqrt(2 / 3), 10);
    expect(valueAt(rollouts.points, 'rollout/acc', 2)).toBe(0.5);
    expect(valueAt(rollouts.points, 'rollout/tool_share/crop', 1)).toBeCloseTo(1 / 3, 10);
    expect(rollouts.notes).toEqual(['3.jsonl line 7: broken JSON']);
  });
});

describe('metric store and curves', () => {
  const directory = mkdtempSync(join(tmpdir(), 'deepeyes-metrics-'));
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('stores sources idempotently and draws the Fig. 8 panels as SVG and PNG', async () => {
    const store = new MetricStore(join(directory, 'metrics.sqlite'));
    try {
      for (let round = 0; round < 2; round++)
        for (const source of collectMetrics(join(fixtures, 'verl-run')))
          store.replaceSource('rl-1', source.source, source.points, source.notes);
      const points = store.points('rl-1');
      expect(points.filter((point) => point.key === 'critic/score/mean' && point.step === 1)).toHaveLength(2);
      expect(store.notes('rl-1')).toHaveLength(4);
      const panels = buildCurvePanels(points);
      expect(panels.map((panel) => panel.name)).toEqual([
        'reward-accuracy',
        'response-length',
        'tool-calls',
        'format',
        'tool-shares',
        'loss',
      ]);
      expect(panels[2]!.title).toBe('Tool calls per rollout (mean ± std)');
      const report = await writeCurvesReport(store, { run: 'rl-1', outDir: directory });
      expect(report.files).toHaveLength(12);
      const html = readFileSync(report.htmlPath, 'utf8');
      expect(html.match(/<svg/g)).toHaveLength(6);
      expect(html).toContain('console.log: line 12: looks like a metric line but is cut or malformed');
    } finally {
      store.close();
    }
  });
});
