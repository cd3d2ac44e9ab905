/**
 * Reads what the trainers write into metric points, as far as a file goes, with a note per problem:
 * - verl's console logger (`verl/utils/logger/aggregate_logger.py`): `step:N - key:value - …`, values
 *   printed with `pprint.pformat` (Python float repr, `nan`, `inf`; NumPy 2 scalars as `np.float64(0.5)`),
 *   often behind Ray's `(TaskRunner pid=…)` prefix in a job log;
 * - verl's file logger (`verl/utils/tracking.py` FileLogger): JSONL `{"step": N, "data": {key: value}}`;
 * - LLaMA-Factory's `trainer_log.jsonl` (`train/callbacks.py` LogCallback: `current_steps`, `loss`, `lr`, …)
 *   and HF's `trainer_state.json` (`log_history: [{step, loss, learning_rate, …}]`).
 */
export type MetricPoint = { step: number; key: string; value: number };
export type ParsedLog = { format: LogFormat; points: MetricPoint[]; notes: string[] };
export type LogFormat = 'verl-console' | 'verl-jsonl' | 'llamafactory-jsonl' | 'trainer-state' | 'empty';

const CONSOLE_LINE = /(?:^|\s|\)\s*)step:(\d+) - (.*)$/;

/** A Python repr of a number as `pprint.pformat` prints it, or undefined. */
export function parsePythonNumber(text: string): number | undefined {
  let value = text.trim();
  const wrapped = /^np\.(?:float|int|uint)\d*\((.*)\)$/.exec(value);
  if (wrapped) value = wrapped[1]!;
  if (value === 'nan') return Number.NaN;
  if (value === 'inf') return Number.POSITIVE_INFINITY;
  if (value === '-inf') return Number.NEGATIVE_INFINITY;
  if (value === 'True') return 1;
  if (value === 'False') return 0;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(value)) return undefined;
  return Number(value);
}

function parseConsoleLine(line: string, lineNumber: number, points: MetricPoint[], notes: string[]): boolean {
  const match = CONSOLE_LINE.exec(line);
  if (!match) return false;
  const step = Number(match[1]);
  for (const pair of match[2]!.split(' - ')) {
    const at = pair.lastIndexOf(':');
    const key = at > 0 ? pair.slice(0, at).trim() : '';
    const value = at > 0 ? parsePythonNumber(pair.slice(at + 1)) : undefined;
    if (!key || value === undefined) {
      notes.push(`line ${lineNumber}: step ${step}: could not read "${pair.slice(0, 80)}"`);
      continue;
    }
    points.push({ step, key, value });
  }
  return true;
}

function numericEntries(record: Record<string, unknown>, prefix = ''): [string, number][] {
  return Object.entries(record).flatMap(([key, value]): [string, number][] => {
    if (typeof value === 'number') return [[`${prefix}${key}`, value]];
    if (typeof value === 'boolean') return [[`${prefix}${key}`, value ? 1 : 0]];
    if (value && typeof value === 'object' && !Array.isArray(value))
      return numericEntries(value as Record<string, unknown>, `${prefix}${key}/`);
    return [];
  });
}

/** LLaMA-Factory keys that are bookkeeping, not curves. */
const LLAMAFACTORY_SKIP = new Set(['current_steps', 'total_steps', 'percentage']);

function parseJsonLine(
  record: Record<string, unknown>,
  lineNumber: number,
  points: MetricPoint[],
  notes: string[],
): LogFormat | undefined {
  if (typeof record.step === 'number' && record.data && typeof record.data === 'object') {
    for (const [key, value] of numericEntries(record.data as Record<string, unknown>))
      points.push({ step: record.step, key, value });
    return 'verl-jsonl';
  }
  if (typeof record.current_steps === 'number') {
    for (const [key, value] of numericEntries(record))
      if (!LLAMAFACTORY_SKIP.has(key)) points.push({ step: record.current_steps, key, value });
    return 'llamafactory-jsonl';
  }
  notes.push(`line ${lineNumber}: JSON without a step ("step"+"data" or "current_steps")`);
  return undefined;
}

export function parseTrainingLog(text: string): ParsedLog {
  const points: MetricPoint[] = [];
  const notes: string[] = [];
  const trimmed = text.trim();
  if (trimmed === '') return { format: 'empty', points, notes: ['the log is empty'] };
  if (trimmed.startsWith('{') && trimmed.includes('"log_history"')) {
    try {
      const state = JSON.parse(trimmed) as { log_history?: unknown };
      if (Array.isArray(state.log_history)) {
        for (const [index, entry] of state.log_history.entries()) {
          if (!entry || typeof entry !== 'object' || typeof (entry as { step?: unknown }).step !== 'number') {
            notes.push(`log_history[${index}]: no step`);
            continue;
          }
          const { step, ...rest } = entry as Record<string, unknown> & { step: number };
          for (const [key, value] of numericEntries(rest)) points.push({ step, key, value });
        }
        return { format: 'trainer-state', points, notes };
      }
    } catch {
      // Not one JSON document: read it line by line below.
    }
  }
  let format: LogFormat | undefined;
  let skipped = 0;
  const lines = text.split('\n');
  for (const [index, rawLine] of lines.entries()) {
    const line = rawLine.replace(/\r$/, '');
    const lineNumber = index + 1;
    if (line.trim() === '') continue;
    if (line.trimStart().startsWith('{')) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        const last = index === lines.length - 1 || (index === lines.length - 2 && lines.at(-1) === '');
        notes.push(
          `line ${lineNumber}: broken JSON${last ? ' (the last line, perhaps still being written)' : ''}`,
        );
        continue;
      }
      if (record && typeof record === 'object' && !Array.isArray(record))
        format = parseJsonLine(record as Record<string, unknown>, lineNumber, points, notes) ?? format;
      continue;
    }
    if (parseConsoleLine(line, lineNumber, points, notes)) format ??= 'verl-console';
    else if (/\bstep:\d/.test(line))
      notes.push(`line ${lineNumber}: looks like a metric line but is cut or malformed`);
    else skipped += 1;
  }
  if (!format && points.length === 0) notes.push(`no metric lines among ${skipped} line(s)`);
  return { format: format ?? 'verl-console', points, notes };
}
