import { describe, expect, it } from 'vitest';
import type { TaskJudge } from '../../../reward/judge/judge-task.js';
import { ScriptedTaskJudge } from '../../../reward/testing/scripted-task-judge.js';
import type { StoredItem } from '../../runner/run-store.js';
import { scoreInput } from '../create-scorer.js';
import { rescoreItems } from '../rescore-run.js';
import type { ScoringInput } from '../scoring-input.js';
import { drawFallbackLetter } from './mcq-fallback.js';
import { scoreMultipleChoice } from './multiple-choice.js';

const options = { A: 'red', B: 'blue', C: 'green', D: 'white' };
/** An answer `can_infer` cannot read, and three judge replies it cannot read either. */
const unreadable = (id: string): ScoringInput => ({
  id,
  benchmark: 'hrbench-4k',
  question: 'What colour is the car?',
  reference: 'B',
  prediction: 'The image shows a bicycle leaning on the wall near a shop entrance at dusk',
  options,
});
/** Answers every match with nothing readable and every verify with No. */
const neverReadable: TaskJudge = {
  name: 'scripted-judge',
  ask: async (task) => (task.kind === 'verify' ? '\\boxed{No}' : 'no idea'),
};
const unreadableJudge = (verify: string[] = []) =>
  new ScriptedTaskJudge({ 'match-option': ['hmm', 'not sure', 'no idea'], verify });

describe('multiple-choice fallback when no option can be read (vlmevalkit mode)', () => {
  it('draws a letter or Z like the fork, from a stream fixed by the seed and item id', () => {
    const draws = Array.from({ length: 2000 }, (_, index) =>
      drawFallbackLetter(['A', 'B', 'C', 'D'], 0, `item-${index}`),
    );
    const counts = Object.fromEntries(['A', 'B', 'C', 'D', 'Z'].map((letter) => [letter, 0]));
    for (const letter of draws) counts[letter]! += 1;
    // Uniform over the fork's candidates (letters + Z): 400 each expected.
    for (const count of Object.values(counts)) expect(count).toBeGreaterThan(320);
    expect(drawFallbackLetter(['A', 'B', 'C', 'D'], 0, 'item-7')).toBe(draws[7]);
    const reseeded = Array.from({ length: 50 }, (_, index) =>
      drawFallbackLetter(['A', 'B', 'C', 'D'], 1, `item-${index}`),
    );
    expect(reseeded).not.toEqual(draws.slice(0, 50));
    // An option named Z: the fork's rd.choice([]) crashes; here the letters are the candidates.
    expect(['A', 'Z']).toContain(drawFallbackLetter(['A', 'Z'], 0, 'x'));
  });

  it('scores the drawn letter as the fork does: right, wrong, or Z to the verify judge', async () => {
    const seen = new Set<string>();
    for (let index = 0; seen.size < 3 && index < 200; index++) {
      const id = `item-${index}`;
      const letter = drawFallbackLetter(['A', 'B', 'C', 'D'], 0, id);
      const judge = unreadableJudge(letter === 'Z' ? ['\\boxed{Yes}'] : []);
      const outcome = await scoreMultipleChoice(unreadable(id), judge, undefined, {
        kind: 'random',
        seed: 0,
      });
      judge.assertConsumed();
      expect(outcome.extracted).toBe(letter);
      expect(outcome.detail).toBe(
        `judge replies unreadable: drew ${letter} at random (seed 0), as the fork does`,
      );
      if (letter === 'B') {
        expect(outcome).toMatchObject({ correct: true, rule: 'random-fallback', judgeCalls: 3 });
        seen.add('right');
      } else if (letter === 'Z') {
        // The verify judge said yes: the fork counts the item as a hit.
        expect(outcome).toMatchObject({ correct: true, rule: 'random-fallback+judge:verify', judgeCalls: 4 });
        seen.add('Z');
      } else {
        expect(outcome).toMatchObject({ correct: false, rule: 'random-fallback', judgeCalls: 3 });
        seen.add('wrong');
      }
    }
    expect(seen).toEqual(new Set(['right', 'wrong', 'Z']));
  });

  it('`wrong` scores the item wrong without drawing', async () => {
    const outcome = await scoreMultipleChoice(unreadable('item-1'), unreadableJudge(), undefined, {
      kind: 'wrong',
    });
    expect(outcome).toMatchObject({ correct: false, rule: 'judge:match-option', judgeCalls: 3 });
    expect(outcome.extracted).toBeUndefined();
  });

  it('re-scoring a run from its store draws the same letters with the recorded seed', async () => {
    const items: StoredItem[] = [];
    for (let index = 0; index < 12; index++) {
      const input = unreadable(`item-${index}`);
      const score = await scoreInput(input, 'vlmevalkit', {
        taskJudge: neverReadable,
        mcqFallback: { kind: 'random', seed: 5 },
      });
      items.push({
        id: input.id!,
        rowNumber: index,
        benchmark: input.benchmark,
        category: 'all',
        groups: {},
        question: input.question,
        reference: input.reference,
        status: 'done',
        prediction: input.prediction,
        correct: score.verdict === 'correct',
        score: { ...score, inputs: { options } },
      });
    }
    const { items: rescored, summary } = await rescoreItems(items, 'vlmevalkit', {
      taskJudge: neverReadable,
      mcqFallback: { kind: 'random', seed: 5 },
    });
    expect(summary).toMatchObject({ rescored: 12, gained: 0, lost: 0 });
    expect(rescored.map((item) => item.score?.extracted)).toEqual(items.map((item) => item.score?.extracted));
    expect(items.every((item) => item.score?.verifier?.toString().startsWith('random-fallback'))).toBe(true);
    const other = await rescoreItems(items, 'vlmevalkit', {
      taskJudge: neverReadable,
      mcqFallback: { kind: 'random', seed: 6 },
    });
    expect(other.items.map((item) => item.score?.extracted)).not.toEqual(
      items.map((item) => item.score?.extracted),
    );
  });
});
