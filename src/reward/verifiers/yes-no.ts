import { normalizeShortAnswer, unwrapAnswer } from './normalize-text.js';
import type { RuleDecision } from './rule-decision.js';

const YES = new Set(['yes', 'true', 'correct', '是', '对', '正确']);
const NO = new Set(['no', 'false', 'incorrect', '否', '不', '错', '错误', '不是']);

/** yes / no / undefined for one answer: the whole answer, or its first word ("Yes, it is red."). */
export function readYesNo(text: string): 'yes' | 'no' | undefined {
  const normalized = normalizeShortAnswer(unwrapAnswer(text));
  const first = normalized.split(' ')[0] ?? '';
  for (const candidate of [normalized, first]) {
    if (YES.has(candidate)) return 'yes';
    if (NO.has(candidate)) return 'no';
  }
  return undefined;
}

/** Applies when the reference is a yes/no answer. */
export function verifyYesNo(prediction: string, reference: string): RuleDecision | undefined {
  const expected = readYesNo(reference);
  if (expected === undefined) return undefined;
  const given = readYesNo(prediction);
  return { correct: given === expected, verifier: 'yes-no', detail: `${given ?? 'neither'} vs ${expected}` };
}
