import { allAnswers } from '../protocol/extract-turn.js';
import { pythonStrip } from '../protocol/python-text.js';

/**
 * The final answer is the first `<answer>…</answer>` in the text after the last `</think>`, stripped
 * (upstream's reward; the RL environment takes the last answer of a turn instead, golden README bug 7).
 */
export function textAfterLastThink(text: string): string {
  const at = text.lastIndexOf('</think>');
  return pythonStrip(at < 0 ? text : text.slice(at + '</think>'.length));
}

/** The stripped answer text, or null when there is no closed answer tag after the reasoning. */
export function extractFinalAnswer(text: string): string | null {
  const first = allAnswers(textAfterLastThink(text))[0];
  return first === undefined ? null : pythonStrip(first);
}

/** Counts non-overlapping occurrences, like Python's `str.count`. */
export function countOccurrences(text: string, needle: string): number {
  let count = 0;
  let at = text.indexOf(needle);
  while (at >= 0) {
    count++;
    at = text.indexOf(needle, at + needle.length);
  }
  return count;
}
