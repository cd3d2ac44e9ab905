import { describe, expect, it } from 'vitest';
import { scoreInput } from '../create-scorer.js';
import { goldenInput, readGolden } from '../testing/golden-cases.js';

/**
 * Every golden case the fork decided by rules alone (no judge call), scored in `deepeyes` mode without a
 * judge: the differences from the fork's verdicts are exactly the ones docs/evaluation.md lists, each
 * under a named fix.
 */
async function differences(family: string): Promise<string[]> {
  const found: string[] = [];
  for (const golden of readGolden(family)) {
    if ((golden.judgeCalls ?? []).length > 0) continue;
    const score = await scoreInput(goldenInput(golden), 'deepeyes', {});
    const ours = score.verdict === 'correct';
    if (ours !== golden.verdict) found.push(`${ours ? '+' : '-'} ${golden.prediction} | ${golden.reference}`);
  }
  return found;
}

describe('deepeyes mode differs from the fork only where a named fix says so', () => {
  it('agrees on every rule-decided multiple-choice, yes/no and MathVerse case', async () => {
    for (const family of ['multiple-choice', 'yes-no', 'mathverse'])
      expect(await differences(family)).toEqual([]);
  });

  it('ocr-empty-alternative: only the empty reference, which the fork accepts for any prediction', async () => {
    const found = await differences('ocrbench');
    expect(found).toHaveLength(16);
    for (const line of found) expect(line).toMatch(/^- .* \| \[''\]$/s);
  });

  it('chartqa-percent-fraction: a percent against a plain number (or back) within 5 %', async () => {
    expect(await differences('chartqa')).toEqual([
      '+ 42% | 42',
      '+ 0.57% | 0.57',
      '+ 59.28 | 57%',
      '+ 2015% | 2015',
    ]);
  });

  it('mme-realworld-letter-reading and empty-answer', async () => {
    const found = await differences('mme-realworld');
    expect(found).toHaveLength(13);
    for (const line of found) {
      // gained: \boxed{(X)} read as X, "Based on …, A"/"Best answer: A" read as A (the fork reads the B of
      // "Based"/"Best"); lost: the same lucky B for a B answer, and "" or ")" read as A by the fork.
      expect(line).toMatch(
        /^\+ \\boxed\{\([A-E]\)\}|^[+-] (Based on the image, |Best answer: )[A-E] \||^- (\)?) \| A$/,
      );
    }
  });

  it('mathvista: Python int() quirks ("1_4", Arabic-Indic digits) are not read as numbers', async () => {
    expect(await differences('mathvista')).toEqual(['- 1_4 | 14', '- ١٤ | 14']);
  });
});
