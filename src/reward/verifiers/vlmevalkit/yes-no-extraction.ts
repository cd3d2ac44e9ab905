import { pythonSplit } from '../../../protocol/python-text.js';
import { processPunctuation } from './process-punctuation.js';

export type YesNoReading = 'Yes' | 'No' | 'Unknown';

/**
 * `YOrN_Extraction` (the fork's utils/yorn.py): lower-case, VLMEvalKit punctuation processing, split on
 * whitespace; "yes" as a word without "no" is Yes, the reverse No, anything else Unknown (then the
 * fork asks its judge). "There is no cat." is No; "Yes and no." and "Nope" are Unknown.
 */
export function extractYesNo(output: string): YesNoReading {
  const words = pythonSplit(processPunctuation(output.toLowerCase()));
  const yes = words.includes('yes');
  const no = words.includes('no');
  if (yes && !no) return 'Yes';
  if (!yes && no) return 'No';
  return 'Unknown';
}
