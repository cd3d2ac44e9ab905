import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TurnRecord } from '../../agent/trajectory.js';
import { runEvaluation } from '../runner/run-evaluation.js';
import { RunStore } from '../runner/run-store.js';
import { scriptedTrajectory, syntheticItems } from '../testing/scripted-trajectory.js';
import { createScorer } from './create-scorer.js';
import { finalPrediction } from './final-prediction.js';
import { rescoreItems } from './rescore-run.js';

const turn = (assistant: string): TurnRecord => ({
  index: 0,
  assistant,
  finishReason: 'length',
  action: 'end',
  modelMs: 0,
  toolMs: 0,
});

describe('the prediction of a trajectory without an answer (the fork agent’s final response)', () => {
  it('takes the first <answer> of the last response, else the whole response, Python-stripped', () => {
    const last = (assistant: string) =>
      finalPrediction({ answer: null, turns: [turn('x'), turn(assistant)] });
    // The agent stopped on the tag without parsing it as an answer (e.g. cut by length after it).
    expect(last('<think>t</think><answer>\n B \n</answer> <answer>C</answer>')).toEqual({
      prediction: 'B',
      source: 'last-turn',
    });
    // DOTALL: the tag's content spans lines; \x1c–\x1f and \x85 are Python whitespace.
    expect(last('<answer>line one\nline two</answer>').prediction).toBe('line one\nline two');
    expect(last('\x1c<think>It is red.</think> So the answer is red.\x85')).toEqual({
      prediction: '<think>It is red.</think> So the answer is red.',
      source: 'last-turn',
    });
    expect(last('<answer>unclosed')).toEqual({ prediction: '<answer>unclosed', source: 'last-turn' });
    expect(last('  \n ')).toEqual({ prediction: null });
    expect(finalPrediction({ answer: null, turns: [] })).toEqual({ prediction: null });
    expect(finalPrediction({ answer: 'A', turns: [turn('<answer>B</answer>')] })).toEqual({
      prediction: 'A',
      source: 'answer',
    });
  });

  it('a run scores the last response, records where it came from, and re-scoring keeps it', async () => {
    const runDirectory = await mkdtemp(join(tmpdir(), 'deepeyes-final-'));
    const store = RunStore.open(
      runDirectory,
      {
        benchmark: 'realx-bench',
        dataPath: 'synthetic',
        models: ['scripted'],
        mode: 'agent',
        seed: 0,
        shuffleOptions: false,
        judge: null,
        extra: {},
      },
      { resume: false },
    );
    const items = syntheticItems(3);
    await runEvaluation({
      store,
      runDirectory,
      scorer: createScorer(),
      concurrency: 2,
      sleep: async () => {},
      items,
      runItem: async (item) => {
        const trajectory = scriptedTrajectory(item, {
          answer: null,
          steps: [{ code: 'print(1)' }],
          stopReason: 'max-turns',
        });
        // Item 0 ends on its answer in words, item 1 on a wrong one, item 2 on nothing at all.
        const words = [`\n${item.answer} \n`, 'I could not tell.', ''][item.rowNumber]!;
        return { ...trajectory, turns: [...trajectory.turns, turn(words)] };
      },
    });
    const stored = store.items();
    expect(stored.map((item) => [item.prediction, item.correct, item.score?.verifier])).toEqual([
      ['answer-0', true, 'short-answer'],
      ['I could not tell.', false, 'short-answer'],
      [null, false, 'no-answer'],
    ]);
    expect(stored.map((item) => item.score?.predictionSource)).toEqual(['last-turn', 'last-turn', undefined]);
    const { items: rescored } = await rescoreItems(stored, 'deepeyes');
    expect(rescored.map((item) => item.score?.predictionSource)).toEqual([
      'last-turn',
      'last-turn',
      undefined,
    ]);
    store.close();
  });
});
