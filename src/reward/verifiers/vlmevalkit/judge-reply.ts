import { pythonInt } from '../../../protocol/python-number.js';
import { pythonStrip } from '../../../protocol/python-text.js';

/**
 * The fork's `judge_result` (utils/judge_utils.py): keep what follows the last `<最终结果>` (up to the
 * misspelt closing tag `<\最终结果>`), then what follows the last "boxed" up to the first "}", and call it
 * a Yes when "yes" occurs in it anywhere, case-insensitively ("\boxed{Yes/No}" is a Yes; "Not yes" too).
 */
export function readVerifyReply(reply: string): boolean {
  let text = reply;
  if (text.includes('<最终结果>')) {
    text = pythonStrip(pythonStrip(text.split('<最终结果>').at(-1)!).split('<\\最终结果>')[0]!);
  }
  if (text.includes('boxed')) {
    text = pythonStrip(pythonStrip(text.split('boxed').at(-1)!).split('}')[0]!);
  }
  return text.toLowerCase().includes('yes');
}

export const FAIL_MESSAGE = 'Failed to obtain answer via API.';

/**
 * MathVerse's score reply (`MathVerse_auxeval_score`): only "0" or "1" after stripping counts; anything
 * else (or the API failure message) is asked again, up to five times.
 */
export function readConsistencyReply(reply: string): boolean | undefined {
  if (reply.includes(FAIL_MESSAGE)) return undefined;
  const stripped = pythonStrip(reply);
  if (stripped !== '0' && stripped !== '1') return undefined;
  return pythonInt(reply) === 1;
}
