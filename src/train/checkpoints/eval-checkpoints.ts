import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DeepeyesError } from '../../errors.js';
import type { MetricStore } from '../metrics/metric-store.js';
import {
  fillServeTemplate,
  freePort,
  type RunningServer,
  startCheckpointServer,
} from './serve-checkpoint.js';

/** One checkpoint to evaluate: a folder to serve, or a URL already serving it. */
export type CheckpointTarget = { step: number; path?: string; url?: string };

/** What the eval harness measured on one checkpoint. */
export type CheckpointScore = { correct: number; scored: number; errors: number };

export type EvalCheckpointsOptions = {
  /** The run's name in the metric store (what `train metrics` calls it). */
  run: string;
  store: MetricStore;
  bench: string;
  targets: CheckpointTarget[];
  /** How to serve a target that has a path. */
  serve?: { template: string; readyTimeoutMs: number; graceMs?: number; logDir: string };
  /** Runs the benchmark against a served model; `outDir` is the step's own (resumable) eval run. */
  evaluate(target: { step: number; url: string; outDir: string }): Promise<CheckpointScore>;
  /** Where the eval run of a step goes. */
  outDirFor(step: number): string;
  log: { err(text: string): void };
  signal?: AbortSignal;
};

export type EvalCheckpointsResult = {
  evaluated: { step: number; accuracy: number; scored: number }[];
  skipped: number[];
  failed: { step: number; message: string }[];
};

/** The metric key of a benchmark's checkpoint accuracy (0–1), drawn beside the training curves. */
export const accuracyKey = (bench: string) => `eval/${bench}/accuracy`;

/**
 * Evaluates each checkpoint in step order: serves it (or uses its URL), runs the benchmark, stops
 * the server, stores accuracy at the step. A step whose accuracy is already stored is skipped, so
 * a re-run picks up where the last stopped (an interrupted step resumes inside its eval run). A
 * failing checkpoint is reported and the next one tried; the result lists what failed.
 */
export async function evalCheckpoints(options: EvalCheckpointsOptions): Promise<EvalCheckpointsResult> {
  const key = accuracyKey(options.bench);
  const done = new Set(
    options.store
      .points(options.run)
      .filter((point) => point.key === key)
      .map((point) => point.step),
  );
  const result: EvalCheckpointsResult = { evaluated: [], skipped: [], failed: [] };
  const targets = [...options.targets].sort((a, b) => a.step - b.step);
  for (const [index, target] of targets.entries()) {
    if (options.signal?.aborted) break;
    const label = `[${index + 1}/${targets.length}] step ${target.step}`;
    if (done.has(target.step)) {
      options.log.err(`${label}: already evaluated on ${options.bench}, skipped\n`);
      result.skipped.push(target.step);
      continue;
    }
    let server: RunningServer | undefined;
    try {
      let url = target.url;
      if (url === undefined) {
        server = await serve(target, options, label);
        url = server.url;
      }
      options.log.err(`${label}: evaluating ${options.bench} against ${url}\n`);
      const score = await options.evaluate({
        step: target.step,
        url,
        outDir: options.outDirFor(target.step),
      });
      const accuracy = score.scored === 0 ? Number.NaN : score.correct / score.scored;
      options.store.replaceSource(
        options.run,
        `eval-checkpoints/${options.bench}/step-${target.step}`,
        [
          { step: target.step, key, value: accuracy },
          { step: target.step, key: `eval/${options.bench}/scored`, value: score.scored },
          { step: target.step, key: `eval/${options.bench}/errors`, value: score.errors },
        ],
        [],
      );
      result.evaluated.push({ step: target.step, accuracy, scored: score.scored });
      options.log.err(
        `${label}: ${(accuracy * 100).toFixed(1)}% of ${score.scored} scored (${score.errors} error(s))\n`,
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const hint = error instanceof DeepeyesError && error.hint ? `\n  ${error.hint}` : '';
      options.log.err(`${label}: failed: ${message}${hint}\n`);
      result.failed.push({ step: target.step, message });
    } finally {
      if (server) {
        await server.stop();
        options.log.err(`${label}: server stopped (pid ${server.pid})\n`);
      }
    }
  }
  return result;
}

async function serve(
  target: CheckpointTarget,
  options: EvalCheckpointsOptions,
  label: string,
): Promise<RunningServer> {
  if (!options.serve || target.path === undefined)
    throw new DeepeyesError('serve-missing', `step ${target.step} has neither a URL nor a serve command`);
  const port = await freePort();
  const command = fillServeTemplate(options.serve.template, { path: target.path, port, step: target.step });
  mkdirSync(options.serve.logDir, { recursive: true });
  const logPath = join(options.serve.logDir, `serve-step-${target.step}.log`);
  const logFile = createWriteStream(logPath);
  options.log.err(`${label}: serving: ${command}\n  (output in ${logPath})\n`);
  const started = Date.now();
  try {
    const server = await startCheckpointServer({
      command,
      port,
      readyTimeoutMs: options.serve.readyTimeoutMs,
      ...(options.serve.graceMs === undefined ? {} : { graceMs: options.serve.graceMs }),
      onOutput: (text) => logFile.write(text),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    options.log.err(
      `${label}: ready in ${((Date.now() - started) / 1000).toFixed(1)} s (pid ${server.pid})\n`,
    );
    const stop = server.stop;
    return { ...server, stop: () => stop().finally(() => logFile.end()) };
  } catch (error) {
    logFile.end();
    throw error;
  }
}
