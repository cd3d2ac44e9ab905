import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { UserError } from '../../errors.js';
import { type MetricPoint, parseTrainingLog } from './parse-training-log.js';
import { summarizeRolloutLines } from './summarize-rollouts.js';

export type CollectedSource = { source: string; format: string; points: MetricPoint[]; notes: string[] };

const LOG_NAME = /\.(?:log|jsonl|txt|out)$/;
const ROLLOUT_FILE = /^(\d+)\.jsonl$/;

function isRolloutDir(directory: string): boolean {
  const files = readdirSync(directory).filter((name) => name.endsWith('.jsonl'));
  return files.length > 0 && files.every((name) => ROLLOUT_FILE.test(name));
}

function readRollouts(directory: string, root: string): CollectedSource {
  const notes: string[] = [];
  const points: MetricPoint[] = [];
  const files = readdirSync(directory)
    .filter((name) => ROLLOUT_FILE.test(name))
    .sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
  for (const name of files)
    points.push(
      ...summarizeRolloutLines(
        readFileSync(join(directory, name), 'utf8'),
        Number.parseInt(name, 10),
        notes,
        name,
      ),
    );
  return { source: relative(root, directory) || basename(directory), format: 'verl-rollouts', points, notes };
}

function readLog(path: string, root: string): CollectedSource {
  const parsed = parseTrainingLog(readFileSync(path, 'utf8'));
  return { source: relative(root, path) || basename(path), ...parsed };
}

/**
 * Everything metric-like in a file or a run directory: trainer logs (`*.log`, `*.jsonl`, `*.txt`,
 * LLaMA-Factory's `trainer_state.json` / `trainer_log.jsonl`) and verl rollout dumps (a folder of
 * `{step}.jsonl`). Checkpoint folders are not descended into.
 */
export function collectMetrics(path: string): CollectedSource[] {
  if (!existsSync(path))
    throw new UserError('metrics-missing', `${path} does not exist`, {
      hint: 'give a training log (verl console log, verl JSONL, trainer_log.jsonl, trainer_state.json) or a run directory',
    });
  if (statSync(path).isFile()) return [readLog(path, join(path, '..'))];
  const sources: CollectedSource[] = [];
  const walk = (directory: string, depth: number) => {
    if (isRolloutDir(directory) && directory !== path)
      return void sources.push(readRollouts(directory, path));
    for (const name of readdirSync(directory).sort()) {
      const full = join(directory, name);
      const stat = statSync(full);
      if (stat.isDirectory()) {
        if (depth < 3 && !/^(?:checkpoint-|global_step_)/.test(name)) walk(full, depth + 1);
      } else if (name === 'trainer_state.json' || (LOG_NAME.test(name) && !ROLLOUT_FILE.test(name))) {
        // trainer_state.json inside checkpoints repeats the final one; the walk skips checkpoints.
        const source = readLog(full, path);
        if (source.points.length > 0 || source.format !== 'verl-console') sources.push(source);
      }
    }
  };
  walk(path, 0);
  if (isRolloutDir(path)) sources.push(readRollouts(path, path));
  return sources;
}
