import { describe, expect, it } from 'vitest';
import { ScriptedTaskJudge } from '../../../reward/testing/scripted-task-judge.js';
import { findBenchmark } from '../../registry/benchmarks.js';
import { goldenInput, readGolden } from '../testing/golden-cases.js';
import { scoreVlmevalkit, type VlmevalkitRule } from './score-vlmevalkit.js';

/** JSON with object keys sorted, so call records compare regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, entry: unknown) =>
    entry && typeof entry === 'object' && !Array.isArray(entry)
      ? Object.fromEntries(Object.entries(entry).sort(([left], [right]) => left.localeCompare(right)))
      : entry,
  );
}

const FAMILIES: Array<[string, VlmevalkitRule]> = [
  ['ocrbench', 'ocrbench'],
  ['chartqa', 'chartqa'],
  ['multiple-choice', 'multiple-choice'],
  ['mme-realworld', 'mme-realworld'],
  ['yes-no', 'yes-no'],
  ['mathvista', 'mathvista'],
  ['mathverse', 'mathverse'],
];

describe('vlmevalkit scoring matches the fork on every golden case', () => {
  for (const [family, rule] of FAMILIES) {
    it(`${family}: verdicts and judge calls`, async () => {
      const cases = readGolden(family);
      expect(cases.length).toBeGreaterThanOrEqual(100);
      const mismatches: string[] = [];
      for (const golden of cases) {
        // The registry scores this benchmark with the family the fixture was generated for.
        expect(findBenchmark(golden.benchmark).vlmevalkit).toBe(rule);
        const judge = new ScriptedTaskJudge(golden.judgeReplies ?? {});
        const outcome = await scoreVlmevalkit(rule, goldenInput(golden), judge);
        const calls = judge.tasks.map((task) => {
          const call: Record<string, unknown> = { kind: task.kind };
          if (task.temperature !== undefined) call.temperature = task.temperature;
          if (task.kind === 'verify' || task.kind === 'match-yes-no') {
            call.question = task.question;
            call.prediction = task.prediction;
            if (task.kind === 'verify') call.reference = task.reference;
          }
          return call;
        });
        const expectedCalls = (golden.judgeCalls ?? []).map((call) => {
          const { kind, temperature, ...fields } = call;
          const base: Record<string, unknown> = { kind };
          if (temperature !== undefined && kind !== 'verify' && kind !== 'match-option')
            base.temperature = temperature;
          return kind === 'verify' || kind === 'match-yes-no' ? { ...base, ...fields } : base;
        });
        const sameCalls = canonical(calls) === canonical(expectedCalls);
        if (outcome.correct !== golden.verdict || !sameCalls || outcome.judgeCalls !== calls.length) {
          mismatches.push(
            `${JSON.stringify(golden.prediction)} vs ${JSON.stringify(golden.reference)}: fork ${golden.verdict}, ours ${outcome.correct}${sameCalls ? '' : ` calls ${JSON.stringify(calls)} ≠ ${JSON.stringify(expectedCalls)}`}`,
          );
        }
      }
      expect(mismatches).toEqual([]);
    });
  }
});
