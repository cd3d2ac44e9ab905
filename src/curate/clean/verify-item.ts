import type { CurationItem } from '../curation-item.js';
import { choiceLetter, isNumberAnswer, isYesNoAnswer } from '../ingest/classify-answer.js';

export type VerifySettings = {
  /** Answers longer than this many characters cannot be checked as a short answer. */
  maxAnswerChars: number;
  /** Short-text answers longer than this many words are not "one short answer". */
  maxAnswerWords: number;
  /** Images with a side shorter than this are unreadable to the model. */
  minImageSide: number;
  /** Items without an image are dropped (the DeepEyesV2 environment needs one). */
  requireImage: boolean;
};

export const DEFAULT_VERIFY_SETTINGS: VerifySettings = {
  maxAnswerChars: 100,
  maxAnswerWords: 10,
  minImageSide: 28,
  requireImage: true,
};

export type Drop = { reason: string; detail: string };

/**
 * Why an item cannot be verified, or null when it can: empty or over-long answers, answers that do
 * not fit their type, unreadable or tiny images. Pure: image sizes come from the store.
 */
export function verifyItem(item: CurationItem, settings: VerifySettings): Drop | null {
  const answer = item.answer.trim();
  if (item.question.replaceAll('<image>', '').trim() === '') return { reason: 'empty-question', detail: '' };
  if (answer === '') return { reason: 'empty-answer', detail: '' };
  if (answer.length > settings.maxAnswerChars)
    return { reason: 'answer-too-long', detail: `${answer.length} characters > ${settings.maxAnswerChars}` };
  switch (item.answerType) {
    case 'choice':
      if (!item.options || !choiceLetter(answer, item.options))
        return { reason: 'answer-type-mismatch', detail: `choice answer "${answer}" names no option` };
      break;
    case 'number':
      if (!isNumberAnswer(answer))
        return { reason: 'answer-type-mismatch', detail: `number answer "${answer}" is not a number` };
      break;
    case 'yes-no':
      if (!isYesNoAnswer(answer))
        return { reason: 'answer-type-mismatch', detail: `yes/no answer "${answer}" is neither` };
      break;
    case 'short-text': {
      const words = answer.split(/\s+/u).length;
      if (words > settings.maxAnswerWords)
        return { reason: 'answer-not-short', detail: `${words} words > ${settings.maxAnswerWords}` };
      break;
    }
    case 'math':
      if ((answer.match(/\{/gu)?.length ?? 0) !== (answer.match(/\}/gu)?.length ?? 0))
        return { reason: 'answer-type-mismatch', detail: `math answer "${answer}" has unbalanced braces` };
      break;
  }
  if (settings.requireImage && item.images.length === 0) return { reason: 'no-image', detail: '' };
  for (const image of item.images) {
    if (image.width === null || image.height === null)
      return { reason: 'image-unreadable', detail: image.sha256 };
    if (Math.min(image.width, image.height) < settings.minImageSide)
      return {
        reason: 'image-too-small',
        detail: `${image.width}×${image.height} < ${settings.minImageSide} px`,
      };
  }
  return null;
}
