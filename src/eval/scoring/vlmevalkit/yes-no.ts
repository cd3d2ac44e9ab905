import type { TaskJudge } from '../../../reward/judge/judge-task.js';
import { extractYesNo, type YesNoReading } from '../../../reward/verifiers/vlmevalkit/yes-no-extraction.js';
import type { ScoringInput, ScoringOutcome } from '../scoring-input.js';

const ATTEMPTS = 5;

/**
 * POPE, MME, HallusionBench as the fork scores them (image_yorn.py): `YOrN_Extraction`; when Unknown, the
 * judge is asked to map the answer to Yes/No/Unknown up to five times (temperature 0, 0.5, 1, …), each
 * reply read by the same extraction. Correct when the reading equals the reference exactly ("Yes"/"No").
 */
export async function scoreYesNo(
  input: ScoringInput,
  judge: TaskJudge | undefined,
  signal?: AbortSignal,
): Promise<ScoringOutcome> {
  let reading: YesNoReading = extractYesNo(input.prediction);
  let judgeCalls = 0;
  let rule = 'yes-no-extraction';
  if (reading === 'Unknown' && judge) {
    rule = 'judge:match-yes-no';
    for (let attempt = 0; attempt < ATTEMPTS && reading === 'Unknown'; attempt += 1) {
      judgeCalls += 1;
      const reply = await judge.ask(
        { kind: 'match-yes-no', question: input.question, prediction: input.prediction },
        { temperature: 0.5 * attempt, ...(signal ? { signal } : {}) },
      );
      reading = extractYesNo(reply);
    }
  }
  return { correct: reading === input.reference, rule, extracted: reading, judgeCalls };
}
